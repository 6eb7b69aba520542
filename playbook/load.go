package playbook

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

//go:embed default.yaml
var defaultYAML []byte

// DefaultFile is the name the embedded default playbook is reported under.
const DefaultFile = "default.yaml"

// Problem is one thing wrong with a playbook file.
type Problem struct {
	File string // the name given to Load, or the path given to LoadFile
	Line int    // 1-based; 0 when the problem has no single line
	Msg  string
}

// String formats the problem as "file:line: msg".
func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// ValidationError lists every problem found in a playbook file. Load and
// LoadFile return it (as error) for any file that cannot be used.
type ValidationError struct {
	Problems []Problem
}

// Error prints one "file:line: msg" per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

var defaultPlaybook = sync.OnceValue(func() *Playbook {
	p, err := Load(DefaultFile, defaultYAML)
	if err != nil {
		// TestDefault keeps this from ever happening in a released binary.
		panic("playbook: embedded default playbook is invalid:\n" + err.Error())
	}
	return p
})

// Default returns the embedded default playbook, parsed on first use. The
// same value is shared by all callers and must not be modified.
func Default() *Playbook { return defaultPlaybook() }

// DefaultYAML returns a copy of the embedded default playbook file, e.g. as a
// starting point for a team's own playbook.
func DefaultYAML() []byte { return append([]byte(nil), defaultYAML...) }

// LoadFile reads, parses and validates the playbook file at path.
func LoadFile(path string) (*Playbook, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("playbook: %w", err)
	}
	return Load(path, data)
}

// Load parses and validates a playbook file; name is used in messages. Any
// problem makes it return a *ValidationError listing all of them.
func Load(name string, data []byte) (*Playbook, error) {
	var root yaml.Node
	if err := parseYAML(data, &root); err != nil {
		return nil, &ValidationError{Problems: []Problem{yamlProblem(name, data, err)}}
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			doc = nil
		} else {
			doc = doc.Content[0]
		}
	}
	if doc == nil || doc.Kind == 0 || (doc.Kind == yaml.ScalarNode && doc.Tag == "!!null") {
		return nil, &ValidationError{Problems: []Problem{{File: name, Line: 1, Msg: "empty playbook"}}}
	}
	// About one remembered position per 20 bytes of a typical file.
	d := &decoder{file: name, pos: make(positions, len(data)/20)}
	p := &Playbook{}
	d.decode(doc, reflect.ValueOf(p).Elem(), "playbook")
	probs := d.probs
	// Validate what could be decoded too, so that one run reports every
	// problem; a document that is not even a mapping would only add noise.
	if doc.Kind == yaml.MappingNode && d.nodes <= maxNodes {
		probs = append(probs, validate(name, p, d.pos)...)
	}
	if len(probs) > 0 {
		sort.SliceStable(probs, func(i, j int) bool { return probs[i].Line < probs[j].Line })
		return nil, &ValidationError{Problems: probs}
	}
	p.index()
	return p, nil
}

// parseYAML parses data into a node tree. yaml.v3 has had panics on hostile
// input; a playbook file may come from a user, so one is turned into an error.
func parseYAML(data []byte, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: cannot parse: %v", r)
		}
	}()
	return yaml.Unmarshal(data, n)
}

var (
	yamlLineRE   = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	yamlAnchorRE = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
)

// yamlParserErrors are the messages of yaml.v3's parser (as opposed to its
// scanner). yaml.v3 v3.0.1 reports their line 0-based and leaves it out
// when it is 0, so yamlProblem adds one.
var yamlParserErrors = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// yamlProblem turns a yaml.v3 syntax error in data into a Problem with its
// line.
func yamlProblem(name string, data []byte, err error) Problem {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if yamlParserErrors[m[2]] {
			line++
		}
		// At the end of a file without a final newline yaml.v3 counts one
		// line more than there is.
		lines := bytes.Count(data, []byte("\n"))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			lines++
		}
		line = max(1, min(line, lines))
		return Problem{File: name, Line: line, Msg: "yaml: " + m[2]}
	}
	if m := yamlAnchorRE.FindStringSubmatch(msg); m != nil {
		// yaml.v3 gives no line for this one; the first use is a good guess.
		if i := bytes.Index(data, []byte("*"+m[1])); i >= 0 {
			return Problem{File: name, Line: 1 + bytes.Count(data[:i], []byte("\n")), Msg: msg}
		}
	}
	if rest, ok := strings.CutPrefix(msg, "yaml: "); ok && yamlParserErrors[rest] {
		return Problem{File: name, Line: 1, Msg: msg}
	}
	return Problem{File: name, Msg: msg}
}
