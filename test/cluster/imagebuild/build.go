package main

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// options is what one image is made of.
type options struct {
	tag        name.Tag
	out        string
	layers     []string // uncompressed tar files, bottom first
	entrypoint []string
	cmd        []string
	env        []string
	user       string
	workdir    string
	stopSignal string
	ports      []string
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
	var tag, entrypoint, cmd string
	var layers, env, ports listFlag
	fs.StringVar(&tag, "tag", "", "image reference, e.g. docker.io/library/busybox:1.36")
	fs.StringVar(&o.out, "out", "", "docker-archive tarball to write")
	fs.Var(&layers, "layer", "uncompressed layer tarball (repeat, bottom first)")
	fs.StringVar(&entrypoint, "entrypoint", "", `entrypoint as a JSON array, e.g. ["/pause"]`)
	fs.StringVar(&cmd, "cmd", "", `command as a JSON array, e.g. ["postgres"]`)
	fs.Var(&env, "env", "environment variable NAME=VALUE (repeat)")
	fs.StringVar(&o.user, "user", "", "user[:group] the image runs as")
	fs.StringVar(&o.workdir, "workdir", "", "working directory")
	fs.StringVar(&o.stopSignal, "stop-signal", "", "signal that stops the container, e.g. SIGINT")
	fs.Var(&ports, "expose", "exposed port, e.g. 5432/tcp (repeat)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if tag == "" || o.out == "" {
		return nil, errors.New("-tag and -out are required")
	}
	t, err := name.NewTag(tag, name.StrictValidation)
	if err != nil {
		return nil, fmt.Errorf("-tag: %w", err)
	}
	o.tag = t
	if len(layers) == 0 {
		return nil, errors.New("at least one -layer is required")
	}
	o.layers, o.env, o.ports = layers, env, ports
	for _, e := range env {
		if !strings.Contains(e, "=") || strings.HasPrefix(e, "=") {
			return nil, fmt.Errorf("-env %q: want NAME=VALUE", e)
		}
	}
	if o.entrypoint, err = jsonList("entrypoint", entrypoint); err != nil {
		return nil, err
	}
	if o.cmd, err = jsonList("cmd", cmd); err != nil {
		return nil, err
	}
	return &o, nil
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

// image assembles the image: the config first, then the layers on top of the empty image.
func (o *options) image() (v1.Image, error) {
	cfg := &v1.ConfigFile{
		Architecture: runtime.GOARCH,
		OS:           "linux",
		Config: v1.Config{
			Entrypoint: o.entrypoint, Cmd: o.cmd, Env: o.env,
			User: o.user, WorkingDir: o.workdir, StopSignal: o.stopSignal,
		},
		RootFS: v1.RootFS{Type: "layers"},
	}
	if len(o.ports) > 0 {
		cfg.Config.ExposedPorts = map[string]struct{}{}
		for _, p := range o.ports {
			cfg.Config.ExposedPorts[p] = struct{}{}
		}
	}
	img, err := mutate.ConfigFile(empty.Image, cfg)
	if err != nil {
		return nil, err
	}
	for _, path := range o.layers {
		l, err := tarball.LayerFromFile(path, tarball.WithCompressionLevel(gzip.BestSpeed))
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", path, err)
		}
		img, err = mutate.Append(img, mutate.Addendum{
			Layer:   l,
			History: v1.History{CreatedBy: "imagebuild -layer " + filepath.Base(path)},
		})
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", path, err)
		}
	}
	return img, nil
}

// build writes the tarball next to its destination, then renames it into place.
func (o *options) build() error {
	img, err := o.image()
	if err != nil {
		return err
	}
	tmp := o.out + ".tmp"
	if err := tarball.WriteToFile(tmp, o.tag, img); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", o.out, err)
	}
	return os.Rename(tmp, o.out)
}
