namespace Peft.ChatTemplates.Jinja.Syntax;

/// <summary>Which names a body reads, not looking into nested macro definitions (they have their own scope).</summary>
internal static class NameFinder
{
    public static HashSet<string> Find(IEnumerable<Stmt> body)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var statement in body)
        {
            Visit(statement, names);
        }

        return names;
    }

    private static void Visit(Stmt statement, HashSet<string> names)
    {
        switch (statement)
        {
            case OutputStmt s:
                Visit(s.Value, names);
                break;
            case IfStmt s:
                foreach (var branch in s.Branches)
                {
                    Visit(branch.Test, names);
                    VisitAll(branch.Body, names);
                }

                VisitAll(s.Otherwise, names);
                break;
            case ForStmt s:
                Visit(s.Iterable, names);
                Visit(s.Condition, names);
                VisitAll(s.Body, names);
                VisitAll(s.Otherwise, names);
                break;
            case SetStmt s:
                Visit(s.Value, names);
                break;
            case SetBlockStmt s:
                Visit(s.Filters, names);
                VisitAll(s.Body, names);
                break;
            case CallBlockStmt s:
                Visit(s.Call, names);
                VisitAll(s.Body, names);
                break;
            case FilterBlockStmt s:
                Visit(s.Filters, names);
                VisitAll(s.Body, names);
                break;
            case WithStmt s:
                foreach (var (_, value) in s.Assignments)
                {
                    Visit(value, names);
                }

                VisitAll(s.Body, names);
                break;
            case GenerationStmt s:
                VisitAll(s.Body, names);
                break;
        }
    }

    private static void VisitAll(IReadOnlyList<Stmt>? body, HashSet<string> names)
    {
        foreach (var statement in body ?? [])
        {
            Visit(statement, names);
        }
    }

    private static void Visit(Expr? expression, HashSet<string> names)
    {
        switch (expression)
        {
            case Name n:
                names.Add(n.Identifier);
                break;
            case TupleExpr t:
                t.Items.ToList().ForEach(i => Visit(i, names));
                break;
            case ListExpr l:
                l.Items.ToList().ForEach(i => Visit(i, names));
                break;
            case DictExpr d:
                foreach (var (key, value) in d.Pairs)
                {
                    Visit(key, names);
                    Visit(value, names);
                }

                break;
            case GetAttr g:
                Visit(g.Target, names);
                break;
            case GetItem g:
                Visit(g.Target, names);
                Visit(g.Key, names);
                break;
            case SliceExpr s:
                Visit(s.Start, names);
                Visit(s.Stop, names);
                Visit(s.Step, names);
                break;
            case Call c:
                Visit(c.Callee, names);
                Visit(c.Args, names);
                break;
            case FilterExpr f:
                Visit(f.Target, names);
                Visit(f.Args, names);
                break;
            case TestExpr t:
                Visit(t.Target, names);
                Visit(t.Args, names);
                break;
            case Unary u:
                Visit(u.Operand, names);
                break;
            case Binary b:
                Visit(b.Left, names);
                Visit(b.Right, names);
                break;
            case Compare c:
                Visit(c.First, names);
                foreach (var (_, operand) in c.Rest)
                {
                    Visit(operand, names);
                }

                break;
            case CondExpr c:
                Visit(c.Test, names);
                Visit(c.Then, names);
                Visit(c.Otherwise, names);
                break;
        }
    }

    private static void Visit(Arguments arguments, HashSet<string> names)
    {
        arguments.Positional.ToList().ForEach(a => Visit(a, names));
        foreach (var (_, value) in arguments.Named)
        {
            Visit(value, names);
        }

        Visit(arguments.Splat, names);
        Visit(arguments.KeywordSplat, names);
    }
}
