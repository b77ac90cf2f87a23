package main

import (
	"compress/gzip"
	"fmt"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// artifact is what imagebuild writes: one image, or an index of one image per platform.
// Both are reproducible: no time is recorded anywhere (configs carry no "created", history
// entries neither), gzip output is a function of the bytes and the level, and platforms are
// sorted, so the same layer files give the same digests on every run.
type artifact struct {
	image v1.Image      // when there is one platform
	index v1.ImageIndex // when there are several
}

// digest is the digest of the manifest or index a registry stores.
func (a artifact) digest() (v1.Hash, error) {
	if a.index != nil {
		return a.index.Digest()
	}
	return a.image.Digest()
}

// build assembles the artifact; an image of one platform stays a plain image (what
// `docker pull` of a single-arch image gives), several become an OCI index.
func (o *options) build() (artifact, error) {
	if len(o.platforms) == 1 {
		img, err := o.image(o.platforms[0])
		return artifact{image: img}, err
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range o.platforms {
		img, err := o.image(p)
		if err != nil {
			return artifact{}, err
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}},
		})
	}
	return artifact{index: idx}, nil
}

// image assembles one platform's image with OCI media types: the config first, then the
// layers on top of the empty image.
func (o *options) image(p v1.Platform) (v1.Image, error) {
	cfg := &v1.ConfigFile{
		Architecture: p.Architecture,
		Variant:      p.Variant,
		OS:           p.OS,
		Config:       o.config,
		RootFS:       v1.RootFS{Type: "layers"},
	}
	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	img, err := mutate.ConfigFile(base, cfg)
	if err != nil {
		return nil, err
	}
	for _, path := range layersFor(o.layers, p) {
		l, err := tarball.LayerFromFile(path, tarball.WithCompressionLevel(gzip.BestSpeed),
			tarball.WithMediaType(types.OCILayer))
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", path, err)
		}
		img, err = mutate.Append(img, mutate.Addendum{
			Layer:     l,
			MediaType: types.OCILayer,
			History:   v1.History{CreatedBy: "imagebuild -layer " + filepath.Base(path)},
		})
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", path, err)
		}
	}
	return img, nil
}
