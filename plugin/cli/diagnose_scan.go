package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/diagnose"
)

// addScanFlags adds the flags of the no-target mode of diagnose.
func addScanFlags(f *pflag.FlagSet, o *DiagnoseOptions) {
	f.BoolVarP(&o.AllNamespaces, "all-namespaces", "A", o.AllNamespaces, "Diagnose every pod that is not Ready in all namespaces (no target)")
	f.BoolVarP(&o.Verbose, "verbose", "v", o.Verbose, "With no target: show each pod's evidence, logs and next commands under its verdict")
	f.IntVar(&o.MaxLogs, "max-logs", o.MaxLogs, "With no target: read at most this many container logs (one per workload and container; 0: none)")
}

// scanning tells whether diagnose runs without a target: the namespace, or with -A every namespace.
func (o *DiagnoseOptions) scanning() bool {
	return o.AllNamespaces || o.Target == "" && o.Selector == ""
}

// validateScan checks the flags of the no-target mode.
func (o *DiagnoseOptions) validateScan() error {
	switch {
	case o.AllNamespaces && (o.Target != "" || o.Selector != ""):
		return fmt.Errorf("-A diagnoses every namespace: give no TARGET and no -l SELECTOR with it")
	case o.MaxLogs < 0:
		return fmt.Errorf("--max-logs must be 0 or more, not %d", o.MaxLogs)
	}
	return nil
}

// runScan diagnoses every pod that is not Ready in the namespace (or all
// namespaces) and prints the verdicts grouped by cause; it returns an error
// (exit 1) when a pod has a problem or the scan cannot be made.
func (o *DiagnoseOptions) runScan(ctx context.Context) error {
	parent := ctx
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	timedOut := func() bool { return errors.Is(ctx.Err(), context.DeadlineExceeded) && parent.Err() == nil }
	d := &diagnose.Diagnoser{Client: o.Client, Pods: o.Pods, Metadata: o.Metadata, Clock: o.Clock, TailLines: o.TailLines, MaxLogs: o.MaxLogs}
	if o.TailLines == 0 {
		d.TailLines = -1
	}
	if o.MaxLogs == 0 {
		d.MaxLogs = -1
	}
	rep, err := d.Scan(ctx, o.Namespace, o.AllNamespaces)
	if err != nil {
		if timedOut() {
			return &TimeoutError{What: "diagnose", After: o.Timeout, Err: err}
		}
		return err
	}
	if o.Output == "json" {
		err = diagnose.WriteScanJSON(o.Out, rep)
	} else {
		err = diagnose.WriteScanText(o.Out, rep, o.Verbose)
	}
	if err != nil {
		return err
	}
	if timedOut() {
		return &TimeoutError{What: "diagnose", After: o.Timeout, Err: context.DeadlineExceeded, Partial: true}
	}
	if rep.Problems > 0 {
		where := fmt.Sprintf("in namespace %q", rep.Namespace)
		if rep.AllNamespaces {
			where = "in all namespaces"
		}
		return fmt.Errorf("%w: %d of %d pod(s) not Ready %s will not become Ready without a change", ErrProblemsFound, rep.Problems, rep.NotReady, where)
	}
	return nil
}
