package waitfor

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// fakeFiles serves scripts by path and volumes by mount path prefix.
type fakeFiles struct {
	scripts map[string]string
	volumes []Volume
}

func (f fakeFiles) ReadFile(p string) (string, bool, string) {
	s, ok := f.scripts[p]
	if !ok {
		return "", false, "no such key"
	}
	return s, true, ""
}

func (f fakeFiles) VolumeAt(p string) (Volume, bool) {
	for _, v := range f.volumes {
		if p == v.MountPath || strings.HasPrefix(p, strings.TrimSuffix(v.MountPath, "/")+"/") {
			return v, true
		}
	}
	return Volume{}, false
}

// TestBadInput: hostile or broken commands end quickly with a note, never a
// panic or a hang.
func TestBadInput(t *testing.T) {
	big := strings.Repeat("until nc -z db 5432; do sleep 1; done\n", 1<<20/38+1)
	tests := []struct {
		name     string
		argv     []string
		files    Files
		wantNote string
		wantDeps int
	}{
		{"1 MB inline script", sh(big), nil, "is too large to read", 0},
		{"1 MB script file", []string{"bash", "/scripts/big.sh"}, fakeFiles{scripts: map[string]string{"/scripts/big.sh": big}}, "is too large to read", 0},
		{"unbalanced quotes", sh(`until nc -z "db 5432; do sleep 1; done`), nil, "unparsable command (sh -c)", 0},
		{"unbalanced single quote", sh(`nc -z 'db 5432`), nil, "unparsable command", 0},
		{"unterminated loop", sh("until nc -z db 5432; do"), nil, "unparsable command", 0},
		{"script not readable", []string{"sh", "/scripts/wait.sh"}, nil, "script /scripts/wait.sh is not readable", 0},
		{"script key missing", []string{"sh", "/scripts/wait.sh"}, fakeFiles{}, "not readable: no such key", 0},
		{"stdin", []string{"sh"}, nil, "reads its commands from standard input", 0},
		{"huge brace expansion", sh("for i in {1..100000000}; do nc -z db$i 1; done"), nil, "", 1},
		{"nested loops", sh("for a in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do " +
			strings.Repeat("for b in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do ", 7) + "nc -z h$a 1" + strings.Repeat("; done", 8)), nil, "", 16},
		{"recursive function", sh("f() { nc -z db 1; f; f; }; f"), nil, "", 1},
		{"self-sourcing script", []string{"sh", "/s.sh"}, fakeFiles{scripts: map[string]string{"/s.sh": ". /s.sh; . /s.sh; nc -z db 1"}}, "nested too deep", 1},
		{"many commands", sh(strings.Repeat("nc -z db 1; ", 10000)), nil, "stopped reading after 4096 commands", 1},
		{"many dependencies", sh(func() string {
			var b strings.Builder
			for i := 0; i < 200; i++ {
				b.WriteString("nc -z db" + strings.Repeat("x", i) + " 1; ")
			}
			return b.String()
		}()), nil, "stopped after 64 dependencies", 64},
		{"command from a variable", sh("$CMD db 5432"), nil, `the command "$CMD db 5432" is only known when the container runs`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			r := Parse(Input{Command: tt.argv, Files: tt.files})
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %s", d)
			}
			if len(r.Dependencies) != tt.wantDeps {
				t.Errorf("%d dependencies, want %d: %q", len(r.Dependencies), tt.wantDeps, depStrings(r))
			}
			if all := strings.Join(r.Notes, "\n"); !strings.Contains(all, tt.wantNote) || tt.wantNote == "" && all != "" && tt.wantDeps == 0 {
				t.Errorf("notes %q, want one with %q", r.Notes, tt.wantNote)
			}
		})
	}
}

// FuzzParse: no input makes Parse panic, and what it returns is well formed.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"until pg_isready -h postgres -p 5432; do echo waiting for database; sleep 2; done",
		"nc -z $(DB_HOST) ${PORT:-80} && curl http://[::1]:x/",
		"echo > /dev/tcp/a/b; timeout -s 9 3 sh -c 'sh -c \"nc a 1\"'",
		"getent hosts; dig @; wget; curl --url; psql -d 'host=a port=b'",
		"pg_isready -d postgresql://%zz@/x?host=/tmp",
		`until [ -f /run/x/ready ]; do sleep 1; done; dockerize -wait tcp://h:1 -wait file:///x`,
		"kubectl wait --for=condition=complete job/x -n; wait_for.sh pod -l; k8s-wait-for-multi a,b,c,d",
		"f() { shift 9; set -- $@ $@; . /s.sh \"$@\"; }; f a b; for x; do nc $x; done",
		`sh -c 'nc -z "$1" "$2"' -- "db" 5432 ; mongosh mongodb://u:p@[::1/x --eval 1`,
		"until nc -z \"db 5432; do",
	} {
		f.Add(s, "db")
	}
	f.Fuzz(func(t *testing.T, script, value string) {
		env := Env{"DB_HOST": {Value: value, Resolved: true}, "S": {Source: "Secret"}}
		files := fakeFiles{scripts: map[string]string{"/s.sh": script}, volumes: []Volume{{Name: "v", Kind: "emptyDir", MountPath: "/run"}}}
		for _, argv := range [][]string{sh(script), {"pg_isready", script}, {"nc", script, value},
			{"timeout", script, "sh", "-c", script}, {"bash", "/s.sh", value}, {"kubectl", "wait", script}} {
			r := Parse(Input{Command: argv, Env: env, Files: files, Namespace: "ns"})
			for _, d := range r.Dependencies {
				if d.Kind != KindFile && d.Kind != KindObject && d.Host == "" {
					t.Fatalf("empty host from %q", argv)
				}
				if d.Port < 0 || d.Port > 65535 {
					t.Fatalf("port %d out of range from %q", d.Port, argv)
				}
				if strings.Contains(d.Address(), unresolvedMark) && utf8.ValidString(d.Host) {
					t.Fatalf("marker left in %q from %q", d.Address(), argv)
				}
			}
		}
	})
}
