package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// TestHelpNamesKubectlInitwait checks that every command's help, as a user
// reads it through kubectl, says `kubectl initwait`, and that every command
// shows examples: the root, help, completion and its shells included.
func TestHelpNamesKubectlInitwait(t *testing.T) {
	streams, _, _, _ := genericiooptions.NewTestIOStreams()
	root := NewRootCmd(streams)
	root.InitDefaultCompletionCmd()
	root.InitDefaultHelpCmd()
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		t.Run(c.CommandPath(), func(t *testing.T) {
			var out bytes.Buffer
			c.SetOut(&out)
			if err := c.Help(); err != nil {
				t.Fatal(err)
			}
			help := out.String()
			if !strings.HasPrefix(c.CommandPath(), "kubectl initwait") {
				t.Errorf("command path %q; want it to start with kubectl initwait", c.CommandPath())
			}
			if !strings.Contains(help, "Usage:\n  kubectl initwait") {
				t.Errorf("usage does not start with kubectl initwait:\n%s", help)
			}
			if strings.Contains(help, "kubectl-initwait ") && !isCompletion(c) {
				t.Errorf("help mentions kubectl-initwait:\n%s", help)
			}
			if !c.Hidden && (c.Example == "" || !strings.Contains(help, "Examples:\n")) {
				t.Errorf("no examples")
			}
		})
	}
	walk(root)
}

// isCompletion tells cobra's completion commands, whose scripts are for the
// kubectl-initwait binary itself, from the rest.
func isCompletion(c *cobra.Command) bool {
	for ; c != nil; c = c.Parent() {
		if c.Name() == "completion" {
			return true
		}
	}
	return false
}
