package cli

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/diagnose"
)

func TestDiagnoseScanRun(t *testing.T) {
	tests := []struct {
		name     string
		all      bool
		target   string
		output   string
		verbose  bool
		ready    bool
		wantErr  string
		wantOut  []string
		wantNone string
	}{
		{name: "namespace, problem", wantErr: `problem found: 1 of 1 pod(s) not Ready in namespace "demo" will not become Ready without a change`,
			wantOut:  []string{"missing Service: 1 pod(s)\n  webapp-1: Pending for 1m0s — check-db-ready waits for postgres:5432, but Service \"postgres\" does not exist", `1 of 1 pod(s) in namespace "demo" not Ready: 1 with a problem, 0 progressing (1 missing Service)`},
			wantNone: "next:"},
		{name: "-A -v", all: true, verbose: true, wantErr: "in all namespaces will not become Ready",
			wantOut: []string{"  demo/webapp-1: Pending", "    next: kubectl logs webapp-1 -n demo -c check-db-ready"}},
		{name: "all Ready", ready: true, wantOut: []string{`all 1 pod(s) in namespace "demo" are Ready or Completed`}},
		{name: "json", all: true, output: "json", wantErr: "problem found"},
		{name: "-A with a target", all: true, target: "webapp", wantErr: "give no TARGET and no -l SELECTOR with it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, out := newTestDiagnoseOptions(diagnoseFixture(tt.ready)...)
			o.AllNamespaces, o.Target, o.Output, o.Verbose = tt.all, tt.target, tt.output, tt.verbose
			err := o.Validate()
			if err == nil {
				err = o.Run(context.Background())
			}
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want %q\n%s", err, tt.wantErr, out)
			}
			if strings.HasPrefix(tt.wantErr, "problem found") && !errors.Is(err, ErrProblemsFound) {
				t.Errorf("error %v does not wrap ErrProblemsFound", err)
			}
			for _, s := range tt.wantOut {
				if !strings.Contains(out.String(), s) {
					t.Errorf("output lacks %q:\n%s", s, out)
				}
			}
			if tt.wantNone != "" && strings.Contains(out.String(), tt.wantNone) {
				t.Errorf("output has %q:\n%s", tt.wantNone, out)
			}
			if tt.output == "json" {
				var rep diagnose.ScanReport
				if err := json.Unmarshal([]byte(out.String()), &rep); err != nil || !rep.AllNamespaces || rep.Groups[0].Cause != diagnose.CauseMissingService || rep.Groups[0].Pods[0].Namespace != "demo" {
					t.Errorf("JSON %v: %s", err, out)
				}
			}
		})
	}
}
