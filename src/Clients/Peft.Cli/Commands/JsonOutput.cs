using Google.Protobuf;

namespace Peft.Cli.Commands;

/// <summary>--json output: the proto3 JSON mapping (lowerCamelCase fields, enums by name, 64-bit numbers as
/// strings), with default values written out so scripts never miss a field. One object per line.</summary>
internal static class JsonOutput
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static string Format(IMessage message) => Formatter.Format(message);
}
