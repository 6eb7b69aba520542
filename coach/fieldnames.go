package coach

import (
	"strings"

	"github.com/stagecoach/stagecoach/playbook"
)

// FieldNamed reports whether key names field f: its key, or its name in
// either language, whole or without the explanation in brackets
// ("规模（地方、区域…）" is also "规模"), case-insensitive. So a rep can
// write `规模=500人` or `Size=500` as well as `size=500`.
func FieldNamed(f playbook.Field, key string) bool {
	key = strings.ToLower(strings.TrimSpace(key))
	if key == "" {
		return false
	}
	if f.Key == key {
		return true
	}
	for _, n := range []string{f.Name.ZH, f.Name.EN} {
		n = strings.ToLower(strings.TrimSpace(n))
		if n == key {
			return true
		}
		if i := strings.IndexAny(n, "（("); i > 0 && strings.TrimSpace(n[:i]) == key {
			return true
		}
	}
	return false
}
