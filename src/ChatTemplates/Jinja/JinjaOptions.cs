namespace Peft.ChatTemplates.Jinja;

/// <summary>
/// The jinja2 Environment options that change how a template's text is read. transformers compiles chat templates
/// with trim_blocks and lstrip_blocks on and keep_trailing_newline off, which is <see cref="ChatTemplate"/>.
/// </summary>
internal sealed record JinjaOptions(bool TrimBlocks, bool LstripBlocks, bool KeepTrailingNewline = false)
{
    /// <summary>jinja2's own defaults: every option off.</summary>
    public static JinjaOptions Default { get; } = new(TrimBlocks: false, LstripBlocks: false);

    /// <summary>What transformers' <c>_compile_jinja_template</c> sets.</summary>
    public static JinjaOptions ChatTemplate { get; } = new(TrimBlocks: true, LstripBlocks: true);
}
