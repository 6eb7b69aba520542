package bot

import (
	"strings"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
)

func init() {
	register(map[string]playbook.Text{
		"cmd.team.add":    {EN: "add people to the team before they use the bot (as reps)", ZH: "在同事使用机器人之前把他们加入团队（默认为销售）"},
		"team.added":      {EN: "Added to the team: {names}.", ZH: "已加入团队：{names}。"},
		"team.added_none": {EN: "Everyone named is in the team already.", ZH: "提到的人都已在团队中。"},
	})
}

// userRef reads a user reference: a mention token <@id|name> or <@id>
// (Slack, and Lark, whose adapter turns @mentions into these tokens), or
// a plain id or @id. The name is "" when the reference carries none.
func userRef(s string) (id, name string) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "<@") && strings.HasSuffix(s, ">") {
		s = strings.TrimSuffix(strings.TrimPrefix(s, "<@"), ">")
		id, name, _ = strings.Cut(s, "|")
		return id, name
	}
	return strings.TrimPrefix(s, "@"), ""
}

// teamAdd is `team add <user>…`.
func (r *Router) teamAdd(q *Request) (Reply, error) {
	var people []coach.NewMember
	for _, w := range q.Args.Words[min(1, len(q.Args.Words)):] {
		id, name := userRef(w.Value)
		people = append(people, coach.NewMember{ID: id, Name: name})
	}
	t, added, err := r.svc.AddMembers(q.Ctx, q.Actor, people)
	if err != nil {
		return Reply{}, err
	}
	msg := q.T("team.added_none")
	if len(added) > 0 {
		var names []string
		for _, id := range added {
			names = append(names, memberLabel(t, id))
		}
		msg = q.T("team.added", "names", strings.Join(names, q.T("list.sep")))
	}
	rep := r.teamView(q, t)
	rep.Blocks = append([]Block{Text{Text: msg}}, rep.Blocks...)
	rep.Summary = msg
	return rep, nil
}

// memberLabel is a member's name, or the id when no name is known.
func memberLabel(t *coach.Team, id string) string {
	if m, ok := t.Members[id]; ok && m.Name != "" {
		return m.Name
	}
	return id
}
