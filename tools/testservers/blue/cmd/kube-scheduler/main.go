// Command kube-scheduler is the upstream scheduler, built from the same k8s.io/kubernetes module as this
// cluster's API server, so pods are bound to (fake) nodes by the real scheduling framework.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-scheduler/app"

	"switchyard.local/tools/testservers/orphan"
)

func main() {
	orphan.ExitWhenOrphaned()
	os.Exit(cli.Run(app.NewSchedulerCommand()))
}
