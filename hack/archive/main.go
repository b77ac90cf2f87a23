// Command archive writes a reproducible .tar.gz of the files it is given, so
// that release archives have the same sha256 wherever they are built:
// entries are sorted by name, have fixed owner (0:0, no names), modes 0755
// or 0644 only, and one modification time (the commit date); the gzip header
// carries no name and no time.
//
//	go run ./hack/archive -o out.tar.gz -mtime 2025-01-02T03:04:05Z NAME=PATH...
//
// NAME is the entry's name in the archive; PATH the file to read. An entry is
// executable when PATH has any execute bit.
package main

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

// entry is one file to put into the archive.
type entry struct {
	Name string // name inside the archive
	Path string // file on disk
}

func main() {
	out := flag.String("o", "", "archive to write (.tar.gz)")
	mtime := flag.String("mtime", "", "modification time of every entry, RFC 3339 (e.g. the commit date)")
	flag.Parse()
	if err := run(*out, *mtime, flag.Args()); err != nil {
		fmt.Fprintf(os.Stderr, "error: archive: %v\n", err)
		os.Exit(1)
	}
}

func run(out, mtime string, args []string) error {
	if out == "" {
		return errors.New("-o is required")
	}
	t, err := time.Parse(time.RFC3339, mtime)
	if err != nil {
		return fmt.Errorf("-mtime: %w", err)
	}
	entries, err := parseEntries(args)
	if err != nil {
		return err
	}
	tmp := out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := write(f, t, entries); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}

// parseEntries reads NAME=PATH arguments, sorted by NAME, rejecting
// duplicates and names that would escape the extraction directory.
func parseEntries(args []string) ([]entry, error) {
	if len(args) == 0 {
		return nil, errors.New("no files given: want NAME=PATH arguments")
	}
	seen := map[string]bool{}
	var entries []entry
	for _, a := range args {
		name, p, ok := strings.Cut(a, "=")
		if !ok || name == "" || p == "" {
			return nil, fmt.Errorf("argument %q: want NAME=PATH", a)
		}
		if path.IsAbs(name) || path.Clean(name) != name || strings.HasPrefix(name, "..") {
			return nil, fmt.Errorf("entry name %q: want a clean relative path", name)
		}
		if seen[name] {
			return nil, fmt.Errorf("entry name %q given twice", name)
		}
		seen[name] = true
		entries = append(entries, entry{Name: name, Path: p})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	return entries, nil
}

// write streams the entries as a gzip-compressed ustar archive to w.
func write(w io.Writer, mtime time.Time, entries []entry) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	// The zero Header leaves out the name and the time (MTIME 0).
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		if err := addFile(tw, mtime, e); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

func addFile(tw *tar.Writer, mtime time.Time, e entry) error {
	f, err := os.Open(e.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file", e.Path)
	}
	mode := int64(0o644)
	if st.Mode().Perm()&0o111 != 0 {
		mode = 0o755
	}
	hdr := &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     e.Name,
		Size:     st.Size(),
		Mode:     mode,
		ModTime:  mtime.UTC().Truncate(time.Second),
		Format:   tar.FormatUSTAR,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("%s: %w", e.Name, err)
	}
	if _, err := io.Copy(tw, f); err != nil {
		return fmt.Errorf("%s: %w", e.Path, err)
	}
	return nil
}
