namespace Peft.ChatTemplates.Loading;

/// <summary>A template's text, its name, and the file it came from (for error messages).</summary>
internal sealed record TemplateSource(string Name, string Text, string File);
