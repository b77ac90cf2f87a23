// Package oneline flattens multi-line messages for one-line errors and log lines.
package oneline

import "strings"

// Flatten returns s on one line: a newline followed by a tab (pgx lists each
// address it tried that way) becomes "; ", and every other run of white space,
// newlines included, becomes one space.
func Flatten(s string) string {
	s = strings.ReplaceAll(s, "\n\t", "; ")
	return strings.Join(strings.Fields(s), " ")
}
