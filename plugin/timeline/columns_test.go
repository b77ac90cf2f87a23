package timeline

import "testing"

func TestShortRef(t *testing.T) {
	tests := map[string]string{
		"replicaset/webapp-5b79f89647": "rs/webapp-5b79f89647",
		"deployment/webapp":            "deploy/webapp",
		"statefulset/db":               "sts/db",
		"daemonset/agent":              "ds/agent",
		"pod/webapp-1":                 "po/webapp-1",
		"job/migrate":                  "job/migrate",
		"webapp":                       "webapp",
		"":                             "",
	}
	for in, want := range tests {
		if got := ShortRef(in); got != want {
			t.Errorf("ShortRef(%q) = %q, want %q", in, got, want)
		}
	}
}
