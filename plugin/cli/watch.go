package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// WatchOptions holds the flags of `kubectl initwait watch`; `up` and
// `compare` build one directly to stream the timeline of what they deployed.
// (Work in progress: Run is being written.)
type WatchOptions struct {
	ConfigFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	// Namespace is filled by Complete from the flags.
	Namespace string
	// Target is TYPE/NAME or NAME (a Deployment); empty when Selector is set.
	Target string
	// Selector is a label selector for the pods to follow.
	Selector string
	// Containers chooses containers by name; empty means all init containers.
	Containers []string
	// AllContainers adds the app containers' logs.
	AllContainers bool
	// Until is "never" or "ready".
	Until string
	// Timeout ends the watch with an error; 0 means no limit.
	Timeout time.Duration
	// Output is "" (text) or "json".
	Output string
	// Color is auto, always or never.
	Color string
}

// NewWatchOptions returns WatchOptions with the defaults of the watch command.
func NewWatchOptions(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *WatchOptions {
	return &WatchOptions{ConfigFlags: flags, IOStreams: streams, Until: "never", Color: "auto"}
}

// Run streams the timeline until ctx ends, Until is met or Timeout passes.
func (o *WatchOptions) Run(ctx context.Context) error {
	return fmt.Errorf("watch: not implemented yet")
}

var _ = cobra.Command{}
