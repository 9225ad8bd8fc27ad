using Peft.Tools.ContainerImage;

return await OciCli.RunAsync(args, Console.Out, Console.Error);
