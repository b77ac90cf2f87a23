package buildinfo

import "testing"

func TestRelease(t *testing.T) {
	tests := []struct {
		version string
		want    bool
	}{
		{"v0.1.0", true},
		{"v1.2.3", true},
		{"v1.2.3-rc.1", true},
		{"dev", false},
		{"", false},
		{"v0.0.0-20261202145659-744a0f55f0da", false},       // hack/dist.sh on an untagged commit
		{"v0.0.0-20261202145659-744a0f55f0da.dirty", false}, // ... with local changes
		{"v0.1.0-3-g744a0f5", false},                        // the Makefile's git describe past a tag
		{"v0.1.0-3-g744a0f5-dirty", false},
		{"v0.1.0-dirty", false},
		{"744a0f5", false}, // git describe --always with no tag
		{"v1.2", false},
		{"1.2.3", false},
	}
	for _, tt := range tests {
		if got := (Info{Version: tt.version}).Release(); got != tt.want {
			t.Errorf("Info{Version: %q}.Release() = %v, want %v", tt.version, got, tt.want)
		}
	}
}
