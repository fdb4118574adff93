# The web app, built from source. docker-compose.yml runs it with SQL Server.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig Rollouter.Import.sln ./
COPY src/ src/
RUN dotnet publish src/Rollouter.Import.Web/Rollouter.Import.Web.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_URLS=http://+:8080 \
    Rollouter__DataFolder=/data
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["dotnet", "Rollouter.Import.Web.dll"]
