package oneline

import "testing"

func TestFlatten(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"one line", "one line"},
		{"  padded \n", "padded"},
		{"failed to connect to `user=u database=d`:\n\t127.0.0.1:1: dial: refused\n\t[::1]:1: dial: refused",
			"failed to connect to `user=u database=d`:; 127.0.0.1:1: dial: refused; [::1]:1: dial: refused"},
		{"yaml: line 2:\n  did not find expected key", "yaml: line 2: did not find expected key"},
		{"a\r\nb\tc", "a b c"},
	}
	for _, tt := range tests {
		if got := Flatten(tt.in); got != tt.want {
			t.Errorf("Flatten(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
