package cli

import (
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// completeWords runs `__complete args...` through the root command, as the
// shell does, and returns the candidates without their descriptions.
func completeWords(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	lines, directive := complete(t, NewRootCmd(genericiooptions.NewTestIOStreamsDiscard()), args...)
	var got []string
	for _, l := range lines {
		if l == "" {
			continue
		}
		word, _, _ := strings.Cut(l, "\t")
		got = append(got, word)
	}
	return got, directive
}

func TestFlagValuesComplete(t *testing.T) {
	noFile := ":4"        // ShellCompDirectiveNoFileComp
	noFileNoSpace := ":6" // ... | ShellCompDirectiveNoSpace
	tests := []struct {
		args      []string
		want      []string
		directive string
	}{
		{[]string{"up", "--variant", ""}, []string{"init", "naive", "both"}, noFile},
		{[]string{"up", "--variant", "b"}, []string{"both"}, noFile},
		{[]string{"up", "--db", ""}, []string{"now", "later", "none"}, noFile},
		{[]string{"up", "--db", "n"}, []string{"now", "none"}, noFile},
		{[]string{"up", "--dry-run", ""}, []string{"none", "client", "server"}, noFile},
		{[]string{"up", "--dry-run=c"}, []string{"client"}, noFile}, // the shell keeps --dry-run=
		{[]string{"up", ""}, nil, noFile},
		{[]string{"down", ""}, nil, noFile},
		{[]string{"up", "-o", ""}, []string{"json"}, noFile},
		{[]string{"up", "--color", ""}, []string{"auto", "always", "never"}, noFile},
		{[]string{"down", "--dry-run", ""}, []string{"none", "server"}, noFile},
		{[]string{"watch", "--until", ""}, []string{"never", "ready"}, noFile},
		{[]string{"watch", "-o", ""}, []string{"json"}, noFile},
		{[]string{"watch", "--output", "j"}, []string{"json"}, noFile},
		{[]string{"watch", "--color", "a"}, []string{"auto", "always"}, noFile},
		{[]string{"version", "-o", ""}, []string{"json"}, noFile},
		{[]string{"diagnose", "-o", ""}, []string{"json"}, noFile},
		{[]string{"compare", "-o", ""}, []string{"json"}, noFile},
		{[]string{"compare", "--color", ""}, []string{"auto", "always", "never"}, noFile},
		{[]string{"compare", "--variants", ""}, []string{"init", "naive", "waitdb"}, noFileNoSpace},
		{[]string{"compare", "--variants", "init,"}, []string{"init,naive", "init,waitdb"}, noFileNoSpace},
		{[]string{"compare", "--variants", "init,naive,w"}, []string{"init,naive,waitdb"}, noFileNoSpace},
		{[]string{"up", "--variant", "x"}, nil, noFile},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, directive := completeWords(t, tt.args...)
			if !reflect.DeepEqual(got, tt.want) || directive != tt.directive {
				t.Errorf("__complete %q = %q %s; want %q %s", tt.args, got, directive, tt.want, tt.directive)
			}
		})
	}
}

// TestEveryEnumFlagCompletes finds every flag named in flagValues on every
// command and checks that its value completes without falling back to files.
func TestEveryEnumFlagCompletes(t *testing.T) {
	root := NewRootCmd(genericiooptions.NewTestIOStreamsDiscard())
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for name := range flagValues {
			if c.LocalNonPersistentFlags().Lookup(name) == nil {
				continue
			}
			if _, ok := c.GetFlagCompletionFunc(name); !ok {
				t.Errorf("%s --%s: no value completion", c.CommandPath(), name)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
