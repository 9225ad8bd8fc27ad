using Peft.Server;

var app = ServerApp.Build(args);
await app.RunAsync();
