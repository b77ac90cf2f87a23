// Command shortener is the URL shortener the kubectl-initwait demo deploys.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/kubectl-initwait/kubectl-initwait/shortener/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], cli.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}, os.Getenv)
	stop()
	os.Exit(code)
}
