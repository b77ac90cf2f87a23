package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// refNameAnnotation names an OCI layout entry, as `crane`, `skopeo` and `oras` read it.
const refNameAnnotation = "org.opencontainers.image.ref.name"

// run builds the artifact and writes each requested output, printing one line per output
// to w (the last word of each line is the digest).
func (o *options) run(ctx context.Context, w io.Writer) error {
	a, err := o.build()
	if err != nil {
		return err
	}
	d, err := a.digest()
	if err != nil {
		return err
	}
	if o.out != "" {
		if err := writeArchive(o.out, o, a); err != nil {
			return err
		}
		fmt.Fprintf(w, "wrote %s %s\n", o.out, d)
	}
	if o.oci != "" {
		if err := writeLayout(o.oci, o, a); err != nil {
			return err
		}
		fmt.Fprintf(w, "wrote %s %s\n", o.oci, d)
	}
	if o.push != nil {
		pushed, err := push(ctx, o, a)
		if err != nil {
			return err
		}
		verb := "pushed"
		if !pushed {
			verb = "present"
		}
		fmt.Fprintf(w, "%s %s %s\n", verb, o.push, d)
	}
	return nil
}

// writeArchive writes the docker-archive next to its destination, then renames it into place.
func writeArchive(path string, o *options, a artifact) error {
	tmp := path + ".tmp"
	if err := tarball.WriteToFile(tmp, o.tag, a.image); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}

// writeLayout writes an OCI image layout whose index.json names the artifact by its tag; a
// directory already there is replaced whole, so no blob of an earlier build stays behind.
func writeLayout(dir string, o *options, a artifact) error {
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	fail := func(err error) error {
		os.RemoveAll(tmp)
		return fmt.Errorf("writing %s: %w", dir, err)
	}
	p, err := layout.Write(tmp, empty.Index)
	if err != nil {
		return fail(err)
	}
	ann := layout.WithAnnotations(map[string]string{refNameAnnotation: o.tag.Name()})
	if a.index != nil {
		err = p.AppendIndex(a.index, ann)
	} else {
		err = p.AppendImage(a.image, ann)
	}
	if err != nil {
		return fail(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fail(err)
	}
	return nil
}

// push writes the artifact to the registry unless the reference already resolves to its
// digest (then nothing is sent: a warm run costs one HEAD request). Credentials come from
// the docker config (~/.docker/config.json, $DOCKER_CONFIG), as docker login and CI's
// login actions write them.
func push(ctx context.Context, o *options, a artifact) (bool, error) {
	want, err := a.digest()
	if err != nil {
		return false, err
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain),
		remote.WithUserAgent("kubectl-initwait-imagebuild")}
	if desc, err := remote.Head(o.push, opts...); err == nil && desc.Digest == want {
		return false, nil
	}
	if a.index != nil {
		err = remote.WriteIndex(o.push, a.index, opts...)
	} else {
		err = remote.Write(o.push, a.image, opts...)
	}
	if err != nil {
		return false, fmt.Errorf("pushing %s: %w", o.push, err)
	}
	return true, nil
}
