package target

import (
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
)

// Grammar is how a target is written, for usage lines and errors.
const Grammar = "NAME (a Deployment), TYPE/NAME, TYPE NAME or -l SELECTOR"

// Spec is a target as the user wrote it, before the TYPE is resolved and
// the object read: NAME, TYPE/NAME, TYPE NAME, or a label selector.
type Spec struct {
	// Kind is the TYPE word as written: deploy, deployment.apps,
	// deployments.v1.apps, sts, po, Job ...; empty for a bare NAME (a
	// Deployment) and for a selector.
	Kind string
	Name string
	// Selector is a label selector; set only when Kind and Name are empty.
	Selector string
}

// String is the spec as the user wrote it: webapp, deploy/webapp, -l app=x.
func (s Spec) String() string {
	switch {
	case s.Selector != "":
		return "-l " + s.Selector
	case s.Kind != "":
		return s.Kind + "/" + s.Name
	}
	return s.Name
}

// Parse reads a command's target words (none, NAME, TYPE/NAME, or TYPE and
// NAME as two words) and its -l SELECTOR; exactly one of the two forms must
// be given. It does not contact the cluster: Resolver.Resolve checks the TYPE.
func Parse(args []string, selector string) (Spec, error) {
	var s Spec
	switch {
	case len(args) > 0 && selector != "":
		return Spec{}, errors.New("give a target or -l SELECTOR, not both")
	case selector != "":
		s.Selector = selector
	case len(args) == 1:
		if typ, name, found := strings.Cut(args[0], "/"); found {
			s.Kind, s.Name = typ, name
			if typ == "" {
				return Spec{}, invalid(args)
			}
		} else {
			s.Name = args[0]
		}
	case len(args) == 2:
		s.Kind, s.Name = args[0], args[1]
		if s.Kind == "" || strings.Contains(s.Kind, "/") {
			return Spec{}, invalid(args)
		}
	case len(args) > 2:
		return Spec{}, invalid(args)
	}
	if err := s.Validate(); err != nil {
		if s.Selector == "" && len(args) > 0 {
			return Spec{}, invalid(args)
		}
		return Spec{}, err
	}
	return s, nil
}

// Validate checks that s names exactly one target: a NAME (with or
// without a TYPE) without "/" in it, or a valid label selector.
func (s Spec) Validate() error {
	switch {
	case s.Selector != "" && (s.Kind != "" || s.Name != ""):
		return errors.New("give a target or -l SELECTOR, not both")
	case s.Selector != "":
		if _, err := labels.Parse(s.Selector); err != nil {
			return fmt.Errorf("invalid selector %q: %w", s.Selector, err)
		}
		return nil
	case s.Kind == "" && s.Name == "":
		return errors.New("give a target: " + Grammar)
	case s.Name == "" || strings.Contains(s.Name, "/") || strings.Contains(s.Kind, "/"):
		return invalid([]string{s.String()})
	}
	return nil
}

// invalid is the error of target words that fit no form of the grammar.
func invalid(args []string) error {
	return fmt.Errorf("invalid target %q: use %s", strings.Join(args, " "), Grammar)
}
