package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/stagecoach/stagecoach/coach"
)

// writeExport writes e as indented JSON (UTF-8 as is, no HTML escaping).
func writeExport(w io.Writer, e *coach.TeamExport) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(e)
}

// decodeExport parses an export document strictly: unknown fields, wrong
// types and trailing data are problems at "$" with their line and column.
func decodeExport(data []byte) (*coach.TeamExport, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var e coach.TeamExport
	err := dec.Decode(&e)
	if err == nil && dec.More() {
		err = errors.New("data after the document")
	}
	if err != nil {
		return nil, &coach.ImportError{Problems: []coach.Problem{{Path: "$", Msg: jsonErrorAt(data, dec, err)}}}
	}
	return &e, nil
}

// jsonErrorAt adds the line and column of a JSON error.
func jsonErrorAt(data []byte, dec *json.Decoder, err error) string {
	off := dec.InputOffset()
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		off = int64(len(data))
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
		if te.Field != "" {
			// the deal's fields sit in an embedded Deal: not part of the path
			field := strings.ReplaceAll(te.Field, ".Deal.", ".")
			return fmt.Sprintf("%s: %s is %s, want %s", lineCol(data, off), field, te.Value, te.Type)
		}
	}
	return lineCol(data, off) + ": " + err.Error()
}

func lineCol(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - int64(bytes.LastIndexByte(data[:off], '\n'))
	return fmt.Sprintf("line %d col %d", line, col)
}
