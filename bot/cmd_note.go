package bot

func (r *Router) cmdNote(q *Request) (Reply, error) {
	ref, err := q.dealRef()
	if err != nil {
		return Reply{}, err
	}
	text := q.Args.Rest(1)
	for _, kv := range q.Args.KV {
		text += " " + kv.String()
	}
	ch, err := r.svc.AddNote(q.Ctx, q.Actor, q.Team, ref, text)
	if err != nil {
		return Reply{}, err
	}
	msg := q.T("note.done", "id", ch.After.ID)
	return Reply{Summary: msg, Blocks: append([]Block{Text{Text: msg}}, r.changeTipBlocks(q, ch)...)}, nil
}

func (r *Router) noteCommands() []*Command {
	return []*Command{
		{Name: "note", Aliases: []string{"备注"}, Usage: "<deal> <text>", Group: "deals", Examples: []string{"note D-1 CFO worried about cost"}, Run: r.cmdNote},
	}
}
