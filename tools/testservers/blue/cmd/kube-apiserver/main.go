// Command kube-apiserver is the upstream API server, built from the k8s.io/kubernetes module so the
// test environment has a real one without downloading release binaries.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"

	"switchyard.local/tools/testservers/orphan"
)

func main() {
	orphan.ExitWhenOrphaned()
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
