package cli

import (
	"testing"
	"time"
)

func TestSharedFlagChecks(t *testing.T) {
	tests := []struct {
		name  string
		check func(string) error
		value string
		want  string // "" = valid
	}{
		{"output empty is text", checkOutput, "", ""},
		{"output text", checkOutput, "text", ""},
		{"output json", checkOutput, "json", ""},
		{"output yaml", checkOutput, "yaml", `--output must be one of: text, json (got "yaml")`},
		{"output is case-sensitive", checkOutput, "JSON", `--output must be one of: text, json (got "JSON")`},
		{"color auto", checkColor, "auto", ""},
		{"color always", checkColor, "always", ""},
		{"color never", checkColor, "never", ""},
		{"color red", checkColor, "red", `--color must be one of: auto, always, never (got "red")`},
		{"color empty", checkColor, "", `--color must be one of: auto, always, never (got "")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check(tt.value)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCheckDuration(t *testing.T) {
	tests := []struct {
		d        time.Duration
		positive bool
		want     string // "" = valid
	}{
		{0, false, ""},
		{time.Second, false, ""},
		{-time.Second, false, "--timeout must not be negative (got -1s)"},
		{time.Second, true, ""},
		{0, true, "--timeout must be positive (got 0s)"},
		{-time.Minute, true, "--timeout must be positive (got -1m0s)"},
	}
	for _, tt := range tests {
		err := checkDuration("--timeout", tt.d, tt.positive)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || err.Error() != tt.want) {
			t.Errorf("checkDuration(%s, positive=%v) = %v, want %q", tt.d, tt.positive, err, tt.want)
		}
	}
}
