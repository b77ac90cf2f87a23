// Package buildinfo holds the version, commit and build date stamped into the
// binary with -ldflags, and the Go version it was built with.
package buildinfo

import (
	"runtime"
	"runtime/debug"
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
