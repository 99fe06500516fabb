//! Presence across nodes. Each node keeps a hash `{prefix}:presence:{node}` of the users
//! with a device on it, and its heartbeat in the sorted set `{prefix}:nodes` (score: the
//! Redis server's clock in ms, so the nodes' own clocks need not agree). A node silent
//! for `dead_after` is reaped by the first node to notice: it takes the dead node's
//! users, and the domain announces those who are not connected elsewhere as offline.

use super::Shared;
use penguin_protocol::UserId;
use std::collections::HashSet;

/// Renews this node's heartbeat and presence; returns the dead nodes' ids.
const BEAT: &str = r"
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - ARGV[3])
";

/// Claims a dead node (only one reaper wins the ZREM) and returns its users.
const REAP: &str = r"
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  local users = redis.call('HKEYS', KEYS[2])
  redis.call('DEL', KEYS[2])
  return users
end
return {}
";

/// The nodes heard from within `dead_after`.
const LIVE: &str = r"
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], now - ARGV[1], '+inf')
";

/// `EVAL script` on `keys`; the caller adds the arguments.
fn eval(script: &str, keys: &[&str]) -> redis::Cmd {
    let mut cmd = redis::cmd("EVAL");
    cmd.arg(script).arg(keys.len()).arg(keys);
    cmd
}

fn millis(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Replaces this node's presence hash with `users` and beats once.
pub(super) async fn write_all(
    shared: &Shared,
    connection: &mut redis::aio::MultiplexedConnection,
    users: &[UserId],
) -> redis::RedisResult<()> {
    let key = shared.keys.presence(&shared.settings.node_id);
    let mut pipe = redis::pipe();
    pipe.atomic().cmd("DEL").arg(&key).ignore();
    for chunk in users.chunks(1000) {
        let mut hset = redis::cmd("HSET");
        hset.arg(&key);
        for user in chunk {
            hset.arg(*user).arg(1);
        }
        pipe.add_command(hset).ignore();
    }
    pipe.exec_async(connection).await?;
    beat(shared, connection).await?;
    Ok(())
}

/// One heartbeat; the users of the nodes this beat found dead and claimed.
pub(super) async fn beat(
    shared: &Shared,
    connection: &mut redis::aio::MultiplexedConnection,
) -> redis::RedisResult<Vec<UserId>> {
    let node = &shared.settings.node_id;
    let dead_after = shared.settings.dead_after();
    // The presence hash outlives the heartbeat so the reaper still finds it.
    let keep = millis(dead_after * 4);
    let dead: Vec<String> = eval(BEAT, &[&shared.keys.nodes, &shared.keys.presence(node)])
        .arg(node)
        .arg(keep)
        .arg(millis(dead_after))
        .query_async(connection)
        .await?;
    let mut users = Vec::new();
    for gone in dead.iter().filter(|gone| *gone != node) {
        let theirs: Vec<UserId> = eval(REAP, &[&shared.keys.nodes, &shared.keys.presence(gone)])
            .arg(gone)
            .query_async(connection)
            .await?;
        tracing::info!(node_id = %gone, users = theirs.len(), "cluster: reaped a node that went silent");
        users.extend(theirs);
    }
    Ok(users)
}

/// Which of `users` have a device on a live node other than this one.
pub(super) async fn online_elsewhere(
    shared: &Shared,
    users: &[UserId],
) -> redis::RedisResult<HashSet<UserId>> {
    let Some(mut connection) = shared.connection() else {
        return Ok(HashSet::new());
    };
    let nodes: Vec<String> = eval(LIVE, &[&shared.keys.nodes])
        .arg(millis(shared.settings.dead_after()))
        .query_async(&mut connection)
        .await?;
    let others: Vec<&String> = nodes
        .iter()
        .filter(|node| **node != shared.settings.node_id)
        .collect();
    if others.is_empty() {
        return Ok(HashSet::new());
    }
    let mut pipe = redis::pipe();
    for node in &others {
        pipe.cmd("HMGET").arg(shared.keys.presence(node)).arg(users);
    }
    let answers: Vec<Vec<Option<u8>>> = pipe.query_async(&mut connection).await?;
    let mut online = HashSet::new();
    for answer in answers {
        for (user, present) in users.iter().zip(answer) {
            if present.is_some() {
                online.insert(*user);
            }
        }
    }
    Ok(online)
}

/// Marks this node as gone at once (score 0), so the next beat of another node reaps it.
pub(super) async fn leave(shared: &Shared) -> redis::RedisResult<()> {
    let Some(mut connection) = shared.connection() else {
        return Ok(());
    };
    redis::cmd("ZADD")
        .arg(&shared.keys.nodes)
        .arg(0)
        .arg(&shared.settings.node_id)
        .exec_async(&mut connection)
        .await
}
