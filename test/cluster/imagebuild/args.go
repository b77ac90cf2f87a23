package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// options is what one image (or one multi-platform index) is made of and where it goes.
type options struct {
	tag       name.Tag      // the image's name: the docker-archive's tag, the OCI layout's ref.name
	platforms []v1.Platform // sorted; one image each
	layers    []layerArg    // bottom first
	config    v1.Config

	out  string         // docker-archive tarball (one platform only)
	oci  string         // OCI image layout directory
	push name.Reference // registry destination
}

// layerArg is one -layer: an uncompressed tar file, for every platform or for one.
type layerArg struct {
	platform *v1.Platform // nil: every platform
	path     string
}

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// parseArgs reads the command line; every bad input is one error naming the flag.
func parseArgs(args []string) (*options, error) {
	fs := flag.NewFlagSet("imagebuild", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o options
	var tag, push, entrypoint, cmd string
	var layers, env, ports, platforms listFlag
	fs.StringVar(&tag, "tag", "", "image name, e.g. docker.io/library/busybox:1.37")
	fs.Var(&platforms, "platform", "OS/ARCH[/VARIANT] to build for (repeat; default linux/"+runtime.GOARCH+")")
	fs.Var(&layers, "layer", "[OS/ARCH=]uncompressed layer tarball (repeat, bottom first; with a platform, only that one's)")
	fs.StringVar(&o.out, "out", "", "docker-archive tarball to write (one platform)")
	fs.StringVar(&o.oci, "oci", "", "OCI image layout directory to write (replaced)")
	fs.StringVar(&push, "push", "", "registry reference to push to, e.g. 127.0.0.1:5000/library/busybox:1.37")
	fs.StringVar(&entrypoint, "entrypoint", "", `entrypoint as a JSON array, e.g. ["/pause"]`)
	fs.StringVar(&cmd, "cmd", "", `command as a JSON array, e.g. ["postgres"]`)
	fs.Var(&env, "env", "environment variable NAME=VALUE (repeat)")
	fs.StringVar(&o.config.User, "user", "", "user[:group] the image runs as")
	fs.StringVar(&o.config.WorkingDir, "workdir", "", "working directory")
	fs.StringVar(&o.config.StopSignal, "stop-signal", "", "signal that stops the container, e.g. SIGINT")
	fs.Var(&ports, "expose", "exposed port, e.g. 5432/tcp (repeat)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if tag == "" {
		return nil, errors.New("-tag is required")
	}
	if o.out == "" && o.oci == "" && push == "" {
		return nil, errors.New("nothing to write: give -out, -oci or -push")
	}
	t, err := name.NewTag(tag, name.StrictValidation)
	if err != nil {
		return nil, fmt.Errorf("-tag: %w", err)
	}
	o.tag = t
	if push != "" {
		if o.push, err = name.ParseReference(push, name.StrictValidation); err != nil {
			return nil, fmt.Errorf("-push: %w", err)
		}
	}
	if o.platforms, err = parsePlatforms(platforms); err != nil {
		return nil, err
	}
	if o.out != "" && len(o.platforms) > 1 {
		return nil, errors.New("-out: a docker-archive holds one platform; use -oci or -push for several")
	}
	if o.layers, err = parseLayers(layers, o.platforms); err != nil {
		return nil, err
	}
	for _, e := range env {
		if !strings.Contains(e, "=") || strings.HasPrefix(e, "=") {
			return nil, fmt.Errorf("-env %q: want NAME=VALUE", e)
		}
	}
	o.config.Env = env
	if len(ports) > 0 {
		o.config.ExposedPorts = map[string]struct{}{}
		for _, p := range ports {
			o.config.ExposedPorts[p] = struct{}{}
		}
	}
	if o.config.Entrypoint, err = jsonList("entrypoint", entrypoint); err != nil {
		return nil, err
	}
	if o.config.Cmd, err = jsonList("cmd", cmd); err != nil {
		return nil, err
	}
	return &o, nil
}

// parsePlatforms checks each -platform and sorts them, so the index's order does not
// depend on the command line's.
func parsePlatforms(args []string) ([]v1.Platform, error) {
	if len(args) == 0 {
		args = []string{"linux/" + runtime.GOARCH}
	}
	var ps []v1.Platform
	for _, a := range args {
		p, err := v1.ParsePlatform(a)
		if err != nil || p.OS == "" || p.Architecture == "" || strings.Count(a, "/") > 2 {
			return nil, fmt.Errorf("-platform %q: want OS/ARCH[/VARIANT], e.g. linux/arm64", a)
		}
		if slices.ContainsFunc(ps, p.Equals) {
			return nil, fmt.Errorf("-platform %q given twice", a)
		}
		ps = append(ps, *p)
	}
	slices.SortFunc(ps, func(a, b v1.Platform) int { return strings.Compare(a.String(), b.String()) })
	return ps, nil
}

// parseLayers splits each -layer into its platform (if any) and path; every platform must
// end up with at least one layer.
func parseLayers(args []string, platforms []v1.Platform) ([]layerArg, error) {
	var ls []layerArg
	for _, a := range args {
		l := layerArg{path: a}
		if pre, path, ok := strings.Cut(a, "="); ok && strings.Contains(pre, "/") && !strings.ContainsAny(pre, ".") {
			p, err := v1.ParsePlatform(pre)
			if err != nil || !slices.ContainsFunc(platforms, p.Equals) {
				return nil, fmt.Errorf("-layer %q: platform %s is not one of the -platform values", a, pre)
			}
			l = layerArg{platform: p, path: path}
		}
		if l.path == "" {
			return nil, fmt.Errorf("-layer %q: no file", a)
		}
		ls = append(ls, l)
	}
	for _, p := range platforms {
		if len(layersFor(ls, p)) == 0 {
			return nil, fmt.Errorf("no -layer for platform %s", p)
		}
	}
	return ls, nil
}

// layersFor is the layer files of platform p, bottom first.
func layersFor(ls []layerArg, p v1.Platform) []string {
	var paths []string
	for _, l := range ls {
		if l.platform == nil || l.platform.Equals(p) {
			paths = append(paths, l.path)
		}
	}
	return paths
}

func jsonList(flagName, v string) ([]string, error) {
	if v == "" {
		return nil, nil
	}
	var l []string
	if err := json.Unmarshal([]byte(v), &l); err != nil {
		return nil, fmt.Errorf("-%s: want a JSON array of strings: %w", flagName, err)
	}
	return l, nil
}
