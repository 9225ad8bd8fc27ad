namespace Peft.ChatTemplates;

/// <summary>
/// A chat template could not be loaded or rendered: a malformed file, an unknown template name, a template syntax
/// or runtime error, or the template's own <c>raise_exception</c>. The message names the file or the template and
/// line; <see cref="RaisedByTemplate"/> tells a template's deliberate refusal of a conversation (for example "roles
/// must alternate") from a failure of the template itself.
/// </summary>
public sealed class ChatTemplateException : Exception
{
    public ChatTemplateException()
    {
    }

    public ChatTemplateException(string message)
        : base(message)
    {
    }

    public ChatTemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal ChatTemplateException(string message, int? line, bool raisedByTemplate, Exception? innerException)
        : base(message, innerException)
    {
        Line = line;
        RaisedByTemplate = raisedByTemplate;
    }

    /// <summary>The template line where rendering or parsing failed, when known.</summary>
    public int? Line { get; }

    /// <summary>True when the template called <c>raise_exception</c>: the conversation, not the template, is at fault.</summary>
    public bool RaisedByTemplate { get; }
}
