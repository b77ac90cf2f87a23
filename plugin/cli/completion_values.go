package cli

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// flagValues are the fixed values of the commands' enumerated flags, by
// flag name; commandFlagValues overrides them for one command's flag. The
// empty default of -o (text) is not offered: leaving the flag out means it.
var flagValues = map[string][]cobra.Completion{
	"variant":  {"init\twebapp with the init container check-db-ready", "naive\twebapp-naive, no init container", "both\tinit and naive side by side"},
	"db":       {"now\tapply the database with the webapp", "later\tapply the database after --db-delay", "none\tleave the database out"},
	"dry-run":  {"none\tapply", "client\tprint the YAML, contact nothing", "server\tvalidate on the server, persist nothing"},
	"until":    {"never\tstream until Ctrl-C or --timeout", "ready\tstop when every pod is Ready"},
	"output":   {"json\tJSON"},
	"color":    {"auto", "always", "never"},
	"variants": {"init", "naive", "waitdb"},
}

// commandFlagValues are the values that differ from flagValues, keyed by
// command name and flag name.
var commandFlagValues = map[[2]string][]cobra.Completion{
	{"down", "dry-run"}: {"none\tdelete", "server\tsay what would be deleted, delete nothing"},
}

// listFlags take a comma-separated list: each value after the last comma
// completes.
var listFlags = map[string]bool{"variants": true}

// RegisterValueCompletions completes the fixed values of the enumerated
// flags (--variant, --db, --dry-run, --until, -o/--output, --color,
// --variants) of every command under root, found by name once the tree is
// built, without file completion. Flags that already complete are left as
// they are.
func RegisterValueCompletions(root *cobra.Command) error {
	var err error
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
			values, ok := commandFlagValues[[2]string{c.Name(), f.Name}]
			if !ok {
				values, ok = flagValues[f.Name]
			}
			if !ok || err != nil {
				return
			}
			if _, has := c.GetFlagCompletionFunc(f.Name); has {
				return
			}
			err = c.RegisterFlagCompletionFunc(f.Name, valueCompletion(values, listFlags[f.Name]))
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return err
}

// valueCompletion completes the values that start with what was typed; for a
// list flag, the values after the last comma that are not in the list yet.
func valueCompletion(values []cobra.Completion, list bool) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		done, typed := "", toComplete
		if list {
			if i := strings.LastIndex(toComplete, ","); i >= 0 {
				done, typed = toComplete[:i+1], toComplete[i+1:]
			}
		}
		chosen := map[string]bool{}
		for _, v := range strings.Split(strings.TrimSuffix(done, ","), ",") {
			chosen[v] = true
		}
		var out []cobra.Completion
		for _, v := range values {
			word, _, _ := strings.Cut(v, "\t")
			if strings.HasPrefix(word, typed) && !chosen[word] {
				out = append(out, done+v)
			}
		}
		directive := cobra.ShellCompDirectiveNoFileComp
		if list {
			directive |= cobra.ShellCompDirectiveNoSpace
		}
		return out, directive
	}
}
