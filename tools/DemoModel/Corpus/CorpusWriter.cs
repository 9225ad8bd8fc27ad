using System.Text;

namespace Peft.Tools.DemoModel.Corpus;

/// <summary>
/// Writes the corpus as UTF-8 text. Documents are separated by one blank line ("\n\n") and contain no blank line
/// themselves, so a reader (the pretraining step) can split on it and put BOS/EOS around each document.
/// </summary>
internal static class CorpusWriter
{
    public const string DocumentSeparator = "\n\n";

    /// <summary>Writes whole documents until at least <paramref name="targetBytes"/> bytes; returns the bytes written.</summary>
    public static long Write(Stream destination, CorpusGenerator generator, long targetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetBytes);
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        using var writer = new StreamWriter(destination, utf8, bufferSize: 1 << 16, leaveOpen: true);
        var document = new StringBuilder(4096);
        long written = 0;
        while (written < targetBytes)
        {
            document.Clear();
            if (written > 0) document.Append(DocumentSeparator);
            generator.AppendDocument(document);
            foreach (var chunk in document.GetChunks())
            {
                writer.Write(chunk.Span);
                written += utf8.GetByteCount(chunk.Span);
            }
        }
        writer.Write('\n');
        return written + 1;
    }
}
