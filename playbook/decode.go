package playbook

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// maxNodes bounds the work of one decode, so a small file with nested
// aliases (a "billion laughs" document) cannot make Load run for ever.
const maxNodes = 1 << 20

// posKey identifies one key of one decoded struct: the struct's address and
// type (a struct and its first field share an address) and the yaml key ("" for
// the mapping itself).
type posKey struct {
	ptr uintptr
	typ reflect.Type
	key string
}

// positions remembers where in the file each decoded struct and each of its
// keys was, so validation can point at the offending line.
type positions map[posKey]int

// at returns the line of key in the struct p points to, falling back to the
// line of the struct's mapping, or 0 when unknown.
func (ps positions) at(p any, key string) int {
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return 0
	}
	k := posKey{v.Pointer(), v.Type().Elem(), key}
	if l, ok := ps[k]; ok && key != "" {
		return l
	}
	k.key = ""
	return ps[k]
}

// structInfo is the yaml shape of a struct type.
type structInfo struct {
	fields map[string]int // yaml key -> field index
	line   int            // index of the Line field, or -1
}

var structInfos sync.Map // reflect.Type -> *structInfo

func infoOf(t reflect.Type) *structInfo {
	if si, ok := structInfos.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{fields: map[string]int{}, line: -1}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" {
			if f.Name == "Line" && f.Type.Kind() == reflect.Int {
				si.line = i
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		si.fields[name] = i
	}
	structInfos.Store(t, si)
	return si
}

// decoder turns a yaml node tree into playbook structs, strictly: unknown
// keys and wrong value kinds are reported with their line, and decoding goes
// on so that every problem is reported at once.
type decoder struct {
	file    string
	pos     positions
	probs   []Problem
	nodes   int
	aliases map[*yaml.Node]bool // aliases being expanded, to stop cycles
}

func (d *decoder) errorf(line int, format string, args ...any) {
	d.probs = append(d.probs, Problem{File: d.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// decode stores n into v (addressable). what names the value in messages.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, what string) {
	d.nodes++
	if d.nodes > maxNodes {
		if d.nodes == maxNodes+1 {
			d.errorf(n.Line, "document too large (too many nodes after alias expansion)")
		}
		return
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil || d.aliases[n] {
			d.errorf(n.Line, "%s: alias refers to itself", what)
			return
		}
		if d.aliases == nil {
			d.aliases = map[*yaml.Node]bool{}
		}
		d.aliases[n] = true
		d.decode(n.Alias, v, what)
		delete(d.aliases, n)
		return
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // "key:" with no value leaves the zero value
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, what)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.errorf(n.Line, "%s: expected a list, got %s", what, kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.decode(c, s.Index(i), what)
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.errorf(n.Line, "%s: expected a string, got %s", what, kindName(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Int:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			d.errorf(n.Line, "%s: expected an integer, got %s", what, kindName(n))
			return
		}
		i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 32)
		if err != nil {
			d.errorf(n.Line, "%s: integer %q out of range", what, n.Value)
			return
		}
		v.SetInt(i)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
			d.errorf(n.Line, "%s: expected true or false, got %s", what, kindName(n))
			return
		}
		v.SetBool(b)
	default:
		// Only reachable if a field of an unsupported type is added to a
		// playbook struct; the default-playbook test catches that.
		d.errorf(n.Line, "%s: cannot decode into %s", what, v.Type())
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, what string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n.Line, "%s: expected a mapping, got %s", what, kindName(n))
		return
	}
	// Merge keys ("<<: *anchor") first, so that explicit keys override them
	// wherever the merge key appears in the mapping.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			d.merge(n.Content[i+1], v, what)
		}
	}
	si := infoOf(v.Type())
	if si.line >= 0 {
		v.Field(si.line).SetInt(int64(n.Line))
	}
	ptr := v.Addr().Pointer()
	d.pos[posKey{ptr, v.Type(), ""}] = n.Line
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.errorf(k.Line, "%s: keys must be plain strings", what)
			continue
		}
		// yaml.v3 accepts duplicate keys when parsing into nodes.
		if first, dup := seen[k.Value]; dup {
			d.errorf(k.Line, "%s: duplicate key %q (first at line %d)", what, k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		fi, ok := si.fields[k.Value]
		if !ok {
			d.errorf(k.Line, "%s: unknown key %q", what, k.Value)
			continue
		}
		d.pos[posKey{ptr, v.Type(), k.Value}] = k.Line
		d.decode(val, v.Field(fi), k.Value)
	}
}

// merge decodes the value of a merge key: a mapping (usually an alias to
// one) or a list of them.
func (d *decoder) merge(n *yaml.Node, v reflect.Value, what string) {
	d.nodes++
	if d.nodes > maxNodes {
		return // decode reports the overflow
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil || d.aliases[n] {
			d.errorf(n.Line, "%s: alias refers to itself", what)
			return
		}
		if d.aliases == nil {
			d.aliases = map[*yaml.Node]bool{}
		}
		d.aliases[n] = true
		d.merge(n.Alias, v, what)
		delete(d.aliases, n)
		return
	}
	if n.Kind == yaml.SequenceNode {
		for _, c := range n.Content {
			d.merge(c, v, what)
		}
		return
	}
	d.decode(n, v, what)
}
