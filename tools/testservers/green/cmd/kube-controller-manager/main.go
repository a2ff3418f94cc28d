// Command kube-controller-manager is the upstream controller manager, built from the same k8s.io/kubernetes
// module as this cluster's API server, so the Deployment, ReplicaSet, DaemonSet, disruption and node
// lifecycle controllers run at the cluster's own version.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"

	"switchyard.local/tools/testservers/orphan"
)

func main() {
	orphan.ExitWhenOrphaned()
	os.Exit(cli.Run(app.NewControllerManagerCommand()))
}
