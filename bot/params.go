package bot

import "strings"

// param is one key=value parameter name: the English key handlers read
// and the Chinese (and other) names a rep may write instead.
type param struct {
	Key     string
	Aliases []string
}

// params is the one table of parameter names. The router rewrites every
// alias to its key before a handler reads the arguments, so each command
// takes `客户=华为` as it takes `customer=华为`. Info and form fields are
// also found by their playbook names (coach.FieldNamed).
var params = []param{
	{"name", []string{"名称", "名字", "姓名"}},
	{"customer", []string{"客户", "客户名称"}},
	{"value", []string{"金额", "合同金额", "价值"}},
	{"close", []string{"截止", "成交日期", "预计成交", "结单日期"}},
	{"industry", []string{"行业"}},
	{"currency", []string{"币种", "货币"}},
	{"owner", []string{"负责人"}},
	{"place", []string{"地点"}},
	{"topic", []string{"主题"}},
	{"title", []string{"职位", "职务"}},
	{"role", []string{"角色"}},
	{"attitude", []string{"态度"}},
	{"influence", []string{"影响力"}},
	{"level", []string{"层级", "级别"}},
	{"notes", []string{"备注"}},
	{"reason", []string{"原因"}},
	{"competitor", []string{"竞争对手", "对手"}},
	{"text", []string{"内容"}},
}

var paramByAlias = func() map[string]string {
	m := map[string]string{}
	for _, p := range params {
		for _, a := range p.Aliases {
			k := strings.ToLower(a)
			if _, dup := m[k]; dup {
				panic("bot: duplicate parameter alias " + a)
			}
			m[k] = p.Key
		}
	}
	return m
}()

// canonicalKeys rewrites parameter aliases to their English keys.
func canonicalKeys(a Args) Args {
	for i, t := range a.KV {
		if k, ok := paramByAlias[t.Key]; ok {
			a.KV[i].Key = k
		}
	}
	return a
}

// valueAliases maps the labels of coded values (roles, attitudes,
// influence) in every language to their codes, from the catalog: the
// words a rep sees in a choice are the words they may type.
func valueAliases(prefix string, codes []string) map[string]string {
	m := map[string]string{}
	for _, c := range codes {
		if t, ok := catalog[prefix+c]; ok {
			for _, label := range []string{t.EN, t.ZH} {
				m[strings.ToLower(label)] = c
			}
		}
	}
	return m
}
