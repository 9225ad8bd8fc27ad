namespace Peft.ChatTemplates;

/// <summary>
/// A chat template could not be loaded or rendered: a malformed file, an unknown template name, a template syntax
/// or runtime error, or the template's own <c>raise_exception</c>. The message names the file or template line.
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
}
