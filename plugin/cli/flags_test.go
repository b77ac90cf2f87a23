package cli

import "testing"

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
