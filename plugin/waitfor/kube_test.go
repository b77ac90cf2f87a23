package waitfor

import (
	"strings"
	"testing"
)

func TestContainerArgv(t *testing.T) {
	tests := []struct {
		image         string
		command, args []string
		want          string
	}{
		{"ghcr.io/kubectl-initwait/shortener:v0.1.0", nil, []string{"wait-db", "--interval", "200ms"}, "/shortener wait-db --interval 200ms"},
		{"ghcr.io/kubectl-initwait/shortener:v0.1.0", nil, nil, "/shortener"},
		{"postgres:15", nil, []string{"sh", "-c", "pg_isready"}, "sh -c pg_isready"},
		{"busybox", []string{"sh", "-c"}, []string{"nc db 1"}, "sh -c nc db 1"},
		{"groundnuty/k8s-wait-for:v1.3", nil, []string{"job", "migrate"}, "wait_for.sh job migrate"},
		{"docker.io/bitnami/kubectl:1.30", nil, []string{"wait", "job/x"}, "kubectl wait job/x"},
		{"bitnami/kubectl@sha256:abc", nil, []string{"version"}, "kubectl version"},
		{"groundnuty/k8s-wait-for:v1.3", []string{"sh", "-c"}, []string{"wait_for.sh pod x"}, "sh -c wait_for.sh pod x"},
	}
	for _, tt := range tests {
		if got := strings.Join(ContainerArgv(tt.image, tt.command, tt.args), " "); got != tt.want {
			t.Errorf("ContainerArgv(%q, %q, %q) = %q, want %q", tt.image, tt.command, tt.args, got, tt.want)
		}
	}
}

func TestExpandKubernetes(t *testing.T) {
	env := Env{"A": {Value: "x", Resolved: true}, "S": {Source: "Secret"}}
	tests := map[string]string{
		"$(A)":         "x",
		"$(A)$(A)":     "xx",
		"$$(A)":        "$(A)",
		"$(B)":         "$(B)",
		"$(S)":         markUnresolved("S"),
		"$A":           "$A",
		"$(A":          "$(A",
		"cost $":       "cost $",
		"a$$b":         "a$b",
		"$(A)-$(B)-$$": "x-$(B)-$",
	}
	for in, want := range tests {
		if got := ExpandKubernetes(in, env); got != want {
			t.Errorf("ExpandKubernetes(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestShellExpansion: words are expanded by mvdan.cc/sh/v3/expand, so every
// parameter expansion the shell knows works on values from the pod spec.
func TestShellExpansion(t *testing.T) {
	env := Env{"v": {Value: "a:b:c", Resolved: true}, "EMPTY": {Resolved: true}, "S": {Source: `Secret "s" key "k"`}}
	tests := []struct{ word, want string }{
		{"${v%:*}", "a:b"}, {"${v%%:*}", "a"}, {"${v#*:}", "b:c"}, {"${v##*:}", "c"},
		{"${v%x}", "a:b:c"}, {"${v#a}", ":b:c"}, {"${v/a/z}", "z:b:c"}, {"${v//:/-}", "a-b-c"},
		{"${NOPE:-dflt}", "dflt"}, {"${NOPE-dflt}", "dflt"}, {"${EMPTY:-dflt}", "dflt"}, {"${EMPTY-dflt}", ""},
		{"${v:+alt}", "alt"}, {"${v:0:1}", "a"}, {"${#v}", "5"},
		{`"$v"`, "a:b:c"}, {"'$v'", "$v"}, {`x\$v`, "x$v"}, {"$((1+2))", "3"},
		{"${S:-dflt}", "$S"}, {"$NOPE", "$NOPE"}, {"${NOPE%x}", "$NOPE"}, {"$(hostname)", "$(…)"},
		{"~root/x", "~root/x"},
	}
	for _, tt := range tests {
		r := Parse(Input{Command: sh("until nc -z h" + tt.word + "h 1; do sleep 1; done"), Env: env})
		want := "h" + tt.want + "h"
		if len(r.Dependencies) != 1 || r.Dependencies[0].Host != want {
			t.Errorf("%s: %+v, want host %q", tt.word, r.Dependencies, want)
		}
	}
	for script, want := range map[string]string{
		": ${NOPE:=set}; nc -z ${NOPE} 1":   "set",  // ${X:=default} assigns for later commands
		"nc -z h${NOPE:?}h 1":               "$(…)", // a failing expansion is a run-time value
		"nc -z ${1:-db} 1":                  "db",   // no argument 1: the default
		"x=${NOPE:-a}; y=${x}b; nc -z $y 1": "ab",
	} {
		r := Parse(Input{Command: sh(script), Env: env})
		if len(r.Dependencies) != 1 || r.Dependencies[0].Host != want {
			t.Errorf("%s: %+v, want host %q", script, r.Dependencies, want)
		}
	}
}
