module.exports = 'file-mock';
