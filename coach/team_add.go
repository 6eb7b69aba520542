package coach

import (
	"context"
	"strconv"
	"strings"
)

// MaxAddMembers bounds the people one `team add` names.
const MaxAddMembers = 50

// NewMember is a person an admin adds before they have used the bot: the
// platform's user id and, when known (from the @mention), their name.
type NewMember struct {
	ID   string
	Name string
}

// AddMembers adds people to the team as reps, so roles and managers can be
// set before they ever message the bot; admins only. A person already in
// the team keeps their role; a name is filled in where none is known yet.
// It returns the team and the ids that were new.
func (s *Service) AddMembers(ctx context.Context, a Actor, people []NewMember) (*Team, []string, error) {
	if len(people) == 0 {
		return nil, nil, Errf(CodeMissingArg, "arg", "user")
	}
	if len(people) > MaxAddMembers {
		return nil, nil, Errf(CodeTooMany, "field", "users", "max", strconv.Itoa(MaxAddMembers))
	}
	for _, p := range people {
		if strings.TrimSpace(p.ID) == "" || strings.ContainsAny(p.ID, " \t\n<>@") {
			return nil, nil, Errf(CodeBadValue, "field", "user", "value", p.ID, "expected", "@mention")
		}
		if err := checkLen("name", p.Name, MaxNameLen); err != nil {
			return nil, nil, err
		}
	}
	var added []string
	t, err := s.updateTeam(ctx, a.Team, func(t *Team) error {
		if err := t.requireAdmin(a.User, "team add"); err != nil {
			return err
		}
		added = added[:0]
		for _, p := range people {
			if m, ok := t.Members[p.ID]; ok {
				if m.Name == "" {
					m.Name = strings.TrimSpace(p.Name)
				}
				continue
			}
			t.Members[p.ID] = &Member{ID: p.ID, Name: strings.TrimSpace(p.Name), Role: RoleRep, JoinedAt: s.now()}
			added = append(added, p.ID)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return t, added, nil
}
