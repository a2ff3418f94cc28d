// Command kubectl is the upstream client at the blue cluster's version, built from the same module as
// its servers: tests drive the Promotion resources with it the way people do (apply, get, patch).
package main

import (
	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
)

func main() {
	command := cmd.NewDefaultKubectlCommand()
	if err := cli.RunNoErrOutput(command); err != nil {
		util.CheckErr(err)
	}
}
