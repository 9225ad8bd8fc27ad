namespace Peft.Runtime.Tokenization;

/// <summary>
/// Which ids tokenizer.json's post-processor puts around a single text for <c>add_special_tokens=True</c>: the
/// special tokens before and after <c>$A</c> in a TemplateProcessing <c>single</c> template (Llama 3:
/// &lt;|begin_of_text|&gt; $A). ByteLevel post-processors only adjust offsets and add nothing.
/// </summary>
internal static class PostProcessorTemplate
{
    public static (IReadOnlyList<int> Prefix, IReadOnlyList<int> Suffix) Read(ConfigNode? processor)
    {
        if (processor is null)
            return ([], []);
        string type = processor.Value.Required("type").GetString();
        List<ConfigNode> steps = type == "Sequence" ? [.. processor.Value.Required("processors").Items()] : [processor.Value];
        (IReadOnlyList<int>, IReadOnlyList<int>) result = ([], []);
        foreach (ConfigNode step in steps)
        {
            switch (step.Required("type").GetString())
            {
                case "ByteLevel":
                    break;
                case "TemplateProcessing":
                    result = ReadTemplate(step);
                    break;
                default:
                    throw step.Error($"post-processor '{step.Required("type").GetString()}' is not supported (ByteLevel, TemplateProcessing)");
            }
        }
        return result;
    }

    private static (IReadOnlyList<int>, IReadOnlyList<int>) ReadTemplate(ConfigNode template)
    {
        ConfigNode specials = template.Required("special_tokens");
        var prefix = new List<int>();
        var suffix = new List<int>();
        bool seenSequence = false;
        foreach (ConfigNode item in template.Required("single").Items())
        {
            if (item.Optional("Sequence") is { } sequence)
            {
                string id = sequence.Required("id").GetString();
                if (id != "A" || seenSequence)
                    throw sequence.Error($"a single-text template may hold sequence A once, found '{id}'");
                seenSequence = true;
            }
            else if (item.Optional("SpecialToken") is { } special)
            {
                string name = special.Required("id").GetString();
                ConfigNode ids = specials.Optional(name)?.Required("ids")
                    ?? throw special.Error($"'{name}' is not in the template's special_tokens");
                (seenSequence ? suffix : prefix).AddRange(ids.Items().Select(id => id.GetInt32()));
            }
            else
            {
                throw item.Error("expected a Sequence or SpecialToken item");
            }
        }
        if (!seenSequence)
            throw template.Error("the single template has no $A");
        return (prefix, suffix);
    }
}
