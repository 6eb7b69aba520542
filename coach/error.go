package coach

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error codes of user mistakes. Each code is a translation key of the bot's
// catalog ("err.<code>"); Params fill its {placeholders}.
const (
	CodeUnknownDeal    = "unknown_deal"    // {deal}; Suggestions: closest deals
	CodeAmbiguousDeal  = "ambiguous_deal"  // {deal}; Suggestions: candidates
	CodeUnknownItem    = "unknown_item"    // {item}; Suggestions: valid ids
	CodeBadValue       = "bad_value"       // {field} {value} {expected}
	CodeMissingArg     = "missing_arg"     // {arg} {usage}
	CodeForbidden      = "forbidden"       // {action}
	CodeDealClosed     = "deal_closed"     // {deal} {status}
	CodeUnknownMember  = "unknown_member"  // {user}
	CodeUnknownStage   = "unknown_stage"   // {stage}
	CodeUnknownContact = "unknown_contact" // {contact}
	CodeUnknownTool    = "unknown_tool"    // {tool}
	CodeUnknownCase    = "unknown_case"    // {case}
	CodeUnknownField   = "unknown_field"   // {field}; Suggestions: valid keys
	CodeTooLong        = "too_long"        // {field} {max}
	CodeTooMany        = "too_many"        // {field} {max}
	CodeNoSession      = "no_session"      // {deal}
	CodeBusy           = "busy"            // the deal changed too often concurrently
)

// Error is a user mistake with a code the bot translates. Nothing was
// changed when an Error is returned.
type Error struct {
	Code        string
	Params      map[string]string
	Suggestions []string
}

func (e *Error) Error() string {
	keys := make([]string, 0, len(e.Params))
	for k := range e.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(e.Code)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%q", k, e.Params[k])
	}
	if len(e.Suggestions) > 0 {
		fmt.Fprintf(&b, " suggestions=%v", e.Suggestions)
	}
	return b.String()
}

// Errf builds an Error from code and key/value pairs.
func Errf(code string, kv ...string) *Error {
	e := &Error{Code: code, Params: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		e.Params[kv[i]] = kv[i+1]
	}
	return e
}

// WithSuggestions sets the suggestions and returns e.
func (e *Error) WithSuggestions(s ...string) *Error {
	e.Suggestions = s
	return e
}

// AsError returns the coded user error inside err, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
