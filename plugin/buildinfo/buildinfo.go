// Package buildinfo holds the version, commit and build date stamped into the
// binary with -ldflags, and the Go version it was built with.
package buildinfo

import (
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
)

// Stamped at build time:
//
//	-X github.com/kubectl-initwait/kubectl-initwait/plugin/buildinfo.version=v0.1.0
var (
	version = ""
	commit  = ""
	date    = ""
)

// Info describes one build of the binary.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	BuildDate string `json:"buildDate"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// Get returns the build's Info, filling unstamped fields from the Go
// toolchain's embedded VCS data where it has any.
func Get() Info {
	info := Info{Version: version, Commit: commit, BuildDate: date,
		GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && info.Commit == "":
				info.Commit = s.Value
			case s.Key == "vcs.time" && info.BuildDate == "":
				info.BuildDate = s.Value
			}
		}
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
	}
	if info.Version == "" {
		info.Version = "dev"
	}
	if info.Commit == "" {
		info.Commit = "unknown"
	}
	if info.BuildDate == "" {
		info.BuildDate = "unknown"
	}
	return info
}

// releaseVersion is a version the release workflow builds from a v* tag: semantic,
// optionally with a pre-release (v1.2.3, v1.2.3-rc.1).
var releaseVersion = regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$`)

// gitDescribe is the suffix `git describe` adds past a tag: -COMMITS-gHASH.
var gitDescribe = regexp.MustCompile(`-[0-9]+-g[0-9a-f]{7,}`)

// Release reports whether the build is a release: its version is a semantic version from
// a tag, not "dev", not hack/dist.sh's pseudo-version of an untagged commit
// (v0.0.0-TIME-COMMIT), not `git describe` past a tag, and not from a dirty tree. A release
// has published artifacts of its own version, such as the shortener image.
func (i Info) Release() bool {
	v := i.Version
	return releaseVersion.MatchString(v) && !strings.HasPrefix(v, "v0.0.0-") &&
		!gitDescribe.MatchString(v) && !strings.Contains(v, "dirty")
}
