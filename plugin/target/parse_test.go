package target

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		args []string
		sel  string
		want Spec
		err  string
	}{
		{args: []string{"webapp"}, want: Spec{Name: "webapp"}},
		{args: []string{"deploy/webapp"}, want: Spec{Kind: "deploy", Name: "webapp"}},
		{args: []string{"deployments.v1.apps/webapp"}, want: Spec{Kind: "deployments.v1.apps", Name: "webapp"}},
		{args: []string{"deployment", "webapp"}, want: Spec{Kind: "deployment", Name: "webapp"}},
		{args: []string{"svc/x"}, want: Spec{Kind: "svc", Name: "x"}}, // the TYPE is checked by Resolve
		{sel: "app=web,tier in (a,b)", want: Spec{Selector: "app=web,tier in (a,b)"}},
		{err: "give a target: NAME (a Deployment), TYPE/NAME, TYPE NAME or -l SELECTOR"},
		{args: []string{"webapp"}, sel: "app=x", err: "give a target or -l SELECTOR, not both"},
		{args: []string{"deployment", "webapp"}, sel: "app=x", err: "not both"},
		{args: []string{"deploy/"}, err: `invalid target "deploy/": use NAME (a Deployment), TYPE/NAME, TYPE NAME or -l SELECTOR`},
		{args: []string{"/webapp"}, err: `invalid target "/webapp"`},
		{args: []string{"a/b/c"}, err: `invalid target "a/b/c"`},
		{args: []string{""}, err: `invalid target ""`},
		{args: []string{"deploy/x", "y"}, err: `invalid target "deploy/x y"`},
		{args: []string{"deployment", "a/b"}, err: `invalid target "deployment a/b"`},
		{args: []string{"deployment", ""}, err: `invalid target "deployment "`},
		{args: []string{"deployment", "a", "b"}, err: `invalid target "deployment a b"`},
		{sel: "a in (", err: `invalid selector "a in ("`},
	}
	for _, tt := range tests {
		got, err := Parse(tt.args, tt.sel)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Parse(%q, %q) = %+v, %v; want one-line error %q", tt.args, tt.sel, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q, %q) = %+v, %v; want %+v", tt.args, tt.sel, got, err, tt.want)
		}
	}
}

func TestSpecString(t *testing.T) {
	for spec, want := range map[Spec]string{
		{Name: "webapp"}:               "webapp",
		{Kind: "sts", Name: "db"}:      "sts/db",
		{Selector: "app=web"}:          "-l app=web",
		{Kind: "deployment.apps"}:      "deployment.apps/",
		{Selector: "a=b", Name: "x"}:   "-l a=b",
		{Kind: "po", Name: "webapp-1"}: "po/webapp-1",
	} {
		if got := spec.String(); got != want {
			t.Errorf("%+v.String() = %q; want %q", spec, got, want)
		}
	}
}
