// Command kwok is sigs.k8s.io/kwok's node and pod simulator, built in its own module because its k8s.io
// requirements differ from the k8s.io/kubernetes versions the blue and green modules pin. It plays our
// fake nodes' kubelets: heartbeats, pod status transitions and the faults tests ask for.
package main

import (
	"os"

	"github.com/spf13/pflag"
	"sigs.k8s.io/kwok/pkg/config"
	"sigs.k8s.io/kwok/pkg/kwok/cmd"
	"sigs.k8s.io/kwok/pkg/log"
	"sigs.k8s.io/kwok/pkg/utils/signals"

	"switchyard.local/tools/testservers/orphan"
)

func main() {
	orphan.ExitWhenOrphaned()
	// kwok reads its global flags (--config, logging) before the command parses the rest, so unknown
	// flags must pass this first parse untouched.
	global := pflag.NewFlagSet("global", pflag.ContinueOnError)
	global.ParseErrorsAllowlist.UnknownFlags = true
	global.Usage = func() {}
	ctx := signals.SetupSignalContext()
	ctx, logger := log.InitFlags(ctx, global)
	ctx, err := config.InitFlags(ctx, global)
	if err != nil {
		logger.Error("reading kwok's configuration flags", "err", err)
		os.Exit(1)
	}
	command := cmd.NewCommand(ctx)
	command.PersistentFlags().AddFlagSet(global)
	if err := command.ExecuteContext(ctx); err != nil {
		logger.Error("kwok stopped", "err", err)
		os.Exit(1)
	}
}
