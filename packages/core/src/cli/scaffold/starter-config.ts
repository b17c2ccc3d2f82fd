/** The commented starter config `firefront init` writes; it validates as written once its connector is installed. */
export const STARTER_CONFIG = `# Firefront config. Check it with: npx firefront validate firefront.yaml
# Run one cycle with:             npx firefront run firefront.yaml --once
# Every key, with its description: npx firefront schema --out firefront.schema.json
# (editors that validate YAML against a JSON Schema use that file too)

# Plugins: npm packages installed next to this file, or paths inside its folder (./plugins/x.mjs).
# First-party connectors (@firefront/connector-*) serve their source_type once installed:
#   npm install @firefront/core @firefront/connector-noaa
plugins:
  - "@firefront/connector-noaa"

# Cursors, the disk spool and local dead letters live here (relative to this file).
state_dir: .firefront
log_level: info

# Where records go. Without a kafka: block, JSON Lines files under the state folder's out/.
# For Kafka, remove this sink block and uncomment kafka: below.
sink:
  type: file
  config:
    directory: .firefront/out

# kafka:
#   bootstrap_servers: \${KAFKA_BROKERS:-localhost:9092}
#   batch_size: 100
#   max_retries: 3

# Records a sink cannot take go to the dead-letter topic (or file), never lost silently.
enable_dlq: true
queue_max_size: 10000
queue_overflow_strategy: drop_oldest

sources:
  # One block per source; its id names its cursor, metrics and logs.
  red_flag_alerts:
    source_type: noaa_alerts          # served by @firefront/connector-noaa
    topic: wildfire-weather-alerts
    ingestion:
      mode: real_time                 # batch | real_time | continuous_streaming
      polling_interval_seconds: 60
    rate_limit_per_minute: 30
    timeout_seconds: 30
    config:                           # checked against the connector's own schema
      # NWS asks every client to name itself and a contact
      user_agent: "(my-app.example.org, ops@example.org)"
      alerts:
        area: [CA]
        event: [Red Flag Warning, Fire Weather Watch]
`
