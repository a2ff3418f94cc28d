// Command helm is the Helm CLI (helm.sh/helm/v4), built from its Go module because no release binary can
// be downloaded here. The tests lint and render deploy/helm/switchyard with it. The CLI is short-lived and
// run to completion by its caller, so unlike the servers beside it it needs no orphan guard.
package main

import (
	"errors"
	"os"

	// Client auth plugins (exec, OIDC) register themselves on import, as in the released binary.
	_ "k8s.io/client-go/plugin/pkg/client/auth"

	helmcmd "helm.sh/helm/v4/pkg/cmd"
	"helm.sh/helm/v4/pkg/kube"
)

func main() {
	// The field manager Helm's server-side applies are recorded under; the released binary says "helm",
	// and a different name here would make the same chart look like two owners of its fields.
	kube.ManagedFieldsManager = "helm"
	root, err := helmcmd.NewRootCmd(os.Stdout, os.Args[1:], helmcmd.SetupLogging)
	if err != nil {
		os.Stderr.WriteString("helm: " + err.Error() + "\n")
		os.Exit(1)
	}
	if err := root.Execute(); err != nil {
		// Some commands (lint, status) choose their own exit code; keep it.
		var coded helmcmd.CommandError
		if errors.As(err, &coded) {
			os.Exit(coded.ExitCode)
		}
		os.Exit(1)
	}
}
