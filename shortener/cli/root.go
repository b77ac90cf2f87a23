// Package cli holds the shortener's commands: `shortener` (serve) and
// `shortener wait-db`. Each is an Options type with Complete, Validate and Run.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/kubectl-initwait/kubectl-initwait/shortener/config"
)

// IOStreams are the standard streams of a command.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// Exit codes of the shortener binary.
const (
	ExitOK     = 0
	ExitFailed = 1 // start-up failure, wait-db timeout, runtime error
	ExitUsage  = 2 // bad flags, bad config file or environment
)

// errReported means the failure was already logged; exit 1 without more output.
var errReported = errors.New("failure already reported")

// usageError marks bad command-line usage (exit 2).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// NewRootCmd builds `shortener`: with no subcommand it serves.
func NewRootCmd(streams IOStreams, getenv func(string) string) *cobra.Command {
	serve := NewServeOptions(streams, getenv)
	root := &cobra.Command{
		Use:   "shortener",
		Short: "URL shortener on PostgreSQL (the kubectl-initwait demo service)",
		Long: `shortener serves a URL shortener backed by PostgreSQL.

Configuration: the YAML file named by CONFIG_FILE, overridden by SHORTENER_*
variables, overridden by flags. Database: POSTGRES_HOST, POSTGRES_PORT,
POSTGRES_DATABASE, POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_SSLMODE.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown command %q for \"shortener\"", args[0])}
			}
			return nil
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := serve.Complete(); err != nil {
				return err
			}
			if err := serve.Validate(); err != nil {
				return err
			}
			return serve.Run(cmd.Context())
		},
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.Flags().StringVar(&serve.ListenFlag, "listen", "", "listen address host:port (default from config, else :8080)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(NewWaitDBCmd(streams, getenv))
	return root
}

// Main runs the shortener with args and returns the process exit code.
func Main(ctx context.Context, args []string, streams IOStreams, getenv func(string) string) int {
	root := NewRootCmd(streams, getenv)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, errReported):
		return ExitFailed
	}
	fmt.Fprintf(streams.ErrOut, "error: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) || config.IsConfigError(err) {
		return ExitUsage
	}
	return ExitFailed
}
