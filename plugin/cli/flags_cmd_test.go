package cli

import (
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// TestEveryCommandChecksSharedFlagsOneWay runs each command with a bad -o
// or --color: the same one error line from all of them, before the cluster
// is contacted.
func TestEveryCommandChecksSharedFlagsOneWay(t *testing.T) {
	const badOutput = `error: --output must be one of: text, json (got "yaml")` + "\n"
	const badColor = `error: --color must be one of: auto, always, never (got "red")` + "\n"
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"watch", "webapp", "-o", "yaml"}, badOutput},
		{[]string{"diagnose", "webapp", "-o", "yaml"}, badOutput},
		{[]string{"up", "-o", "yaml"}, badOutput},
		{[]string{"compare", "-o", "yaml"}, badOutput},
		{[]string{"version", "-o", "yaml"}, badOutput},
		{[]string{"watch", "webapp", "--color", "red"}, badColor},
		{[]string{"up", "--color", "red"}, badColor},
		{[]string{"compare", "--color", "red"}, badColor},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			streams, _, out, errOut := genericiooptions.NewTestIOStreams()
			root := NewRootCmd(streams)
			root.SetArgs(append(tt.args, "-n", "demo", "--server", "https://127.0.0.1:1", "--kubeconfig", "/dev/null"))
			if err := Execute(root, streams); err == nil {
				t.Fatal("no error")
			}
			if errOut.String() != tt.want || out.Len() != 0 {
				t.Errorf("stderr %q stdout %q, want stderr %q", errOut, out, tt.want)
			}
		})
	}
}
