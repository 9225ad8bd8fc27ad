using System.Text;

namespace Peft.Tools.DemoModel.Corpus;

/// <summary>
/// A sentence pattern written as data. Syntax:
/// <list type="bullet">
/// <item><c>{slot}</c> or <c>{slot.form}</c>: a value from the <see cref="ISlotScope"/>, e.g. <c>{hero}</c>, <c>{hero.his}</c>,
/// <c>{pet.s}</c>. An upper-case first letter (<c>{Hero.he}</c>) capitalises the value. The form <c>a</c> works on any slot and
/// puts the right indefinite article in front (<c>{color.a}</c> gives "an orange" or "a red").</item>
/// <item><c>[one|two|three]</c>: one alternative, chosen uniformly; alternatives may be empty and may hold slots and choices.</item>
/// </list>
/// Templates are parsed once, at type initialisation of the grammar, so a malformed pattern fails at start-up.
/// </summary>
internal sealed class Template
{
    private readonly IPart[] _parts;

    private Template(IPart[] parts, string source)
    {
        _parts = parts;
        Source = source;
    }

    public string Source { get; }

    public static Template Parse(string source)
    {
        int position = 0;
        var parts = ParseSequence(source, ref position, insideChoice: false);
        if (position != source.Length)
            throw new FormatException($"Unexpected '{source[position]}' at {position} in template \"{source}\".");
        return new Template(parts, source);
    }

    public void Expand(StringBuilder output, ISlotScope scope)
    {
        foreach (var part in _parts) part.Expand(output, scope);
    }

    public string Expand(ISlotScope scope)
    {
        var output = new StringBuilder();
        Expand(output, scope);
        return output.ToString();
    }

    public override string ToString() => Source;

    private static IPart[] ParseSequence(string source, ref int position, bool insideChoice)
    {
        var parts = new List<IPart>();
        var literal = new StringBuilder();
        while (position < source.Length)
        {
            char c = source[position];
            if (insideChoice && (c == '|' || c == ']')) break;
            if (c == ']' || c == '|' || c == '}')
                throw new FormatException($"Unbalanced '{c}' at {position} in template \"{source}\".");
            if (c is '{' or '[')
            {
                if (literal.Length > 0) parts.Add(new LiteralPart(literal.ToString()));
                literal.Clear();
                parts.Add(c == '{' ? ParseSlot(source, ref position) : ParseChoice(source, ref position));
                continue;
            }
            literal.Append(c);
            position++;
        }
        if (literal.Length > 0) parts.Add(new LiteralPart(literal.ToString()));
        return [.. parts];
    }

    private static SlotPart ParseSlot(string source, ref int position)
    {
        int close = source.IndexOf('}', position);
        if (close < 0) throw new FormatException($"Unclosed '{{' at {position} in template \"{source}\".");
        string body = source[(position + 1)..close];
        position = close + 1;
        if (body.Length == 0 || !char.IsLetter(body[0]))
            throw new FormatException($"Empty or malformed slot '{{{body}}}' in template \"{source}\".");
        int dot = body.IndexOf('.');
        string name = dot < 0 ? body : body[..dot];
        string form = dot < 0 ? "" : body[(dot + 1)..];
        return new SlotPart(name.ToLowerInvariant(), form, Capitalize: char.IsUpper(body[0]));
    }

    private static ChoicePart ParseChoice(string source, ref int position)
    {
        int start = position;
        position++; // '['
        var alternatives = new List<IPart[]>();
        while (true)
        {
            alternatives.Add(ParseSequence(source, ref position, insideChoice: true));
            if (position >= source.Length) throw new FormatException($"Unclosed '[' at {start} in template \"{source}\".");
            char c = source[position++];
            if (c == ']') break;
        }
        return new ChoicePart([.. alternatives]);
    }

    private interface IPart
    {
        void Expand(StringBuilder output, ISlotScope scope);
    }

    private sealed record LiteralPart(string Text) : IPart
    {
        public void Expand(StringBuilder output, ISlotScope scope) => output.Append(Text);
    }

    private sealed record SlotPart(string Name, string Form, bool Capitalize) : IPart
    {
        public void Expand(StringBuilder output, ISlotScope scope)
        {
            string text = Form == "a" ? English.WithArticle(scope.Resolve(Name, "")) : scope.Resolve(Name, Form);
            output.Append(Capitalize ? English.Capitalize(text) : text);
        }
    }

    private sealed record ChoicePart(IPart[][] Alternatives) : IPart
    {
        public void Expand(StringBuilder output, ISlotScope scope)
        {
            foreach (var part in Alternatives[scope.Random.Next(Alternatives.Length)]) part.Expand(output, scope);
        }
    }
}
